"""Notifications as e-mail, sent from a job: a slow mail server never holds a request."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail

from vanban.jobs import task
from vanban.workflow.models import Notification


@task()
def mail_notification(notification_id: int) -> bool:
    note = Notification.objects.select_related("user").filter(pk=notification_id).first()
    if note is None or not note.user.email:
        return False
    link = settings.VANBAN_PUBLIC_URL.rstrip("/") + note.url
    body = f"{note.text}\n\nMở: {link}\n\n— vanban (thư tự động, xin đừng trả lời)"
    send_mail(f"[vanban] {note.text[:120]}", body, settings.DEFAULT_FROM_EMAIL, [note.user.email])
    return True
