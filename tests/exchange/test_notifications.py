"""Every step that waits on someone tells them — on their list, on the home page and by e-mail
through a real SMTP server (aiosmtpd on loopback); deadlines remind before and after (issue 21)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from email import message_from_bytes
from email.header import decode_header, make_header
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from django.test import Client
from django.utils import timezone

from tests.exchange.conftest import Province
from tests.exchange.test_exchange_flow import issue_to_b
from tests.hub.live_hubs import free_port
from vanban.documents.models import Document
from vanban.exchange import inbound
from vanban.incoming import services as incoming
from vanban.workflow import services as workflow
from vanban.workflow.models import Assignment, Notification

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


class Sink:
    def __init__(self) -> None:
        self.messages: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(message_from_bytes(envelope.content))
        return "250 OK"

    def subjects_to(self, address: str) -> list[str]:
        return [str(make_header(decode_header(m["Subject"]))) for m in self.messages if address in m["To"]]


@pytest.fixture
def smtp(settings: Any) -> Iterator[Sink]:
    sink = Sink()
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    yield sink
    controller.stop()


def test_waiting_steps_notify_by_list_home_page_and_mail(province: Province, smtp: Sink, client: Client) -> None:
    p = province
    for user, address in ((p.b_clerk, "vanthu.b@example.vn"), (p.b_leader, "lanhdao.b@example.vn"),
                          (p.b_specialist, "chuyenvien.b@example.vn")):
        user.email = address
        user.save(update_fields=["email"])
    issue_to_b(p)
    inbound.poll()  # arrival: B's clerks are asked to accept
    doc = Document.objects.get(agency=p.b, direction="incoming")
    assert Notification.objects.filter(user=p.b_clerk, kind="arrived").count() == 1
    assert any("Văn bản đến chờ tiếp nhận" in s for s in smtp.subjects_to("vanthu.b@example.vn"))
    client.force_login(p.b_clerk)
    home = client.get("/").content.decode()
    assert 'data-testid="wait-accept-count">1<' in home
    incoming.accept_package(actor=p.b_clerk, document=doc)
    client.force_login(p.b_leader)
    assert 'data-testid="wait-assign-count">1<' in client.get("/").content.decode()
    due = timezone.localdate() + timedelta(days=1)
    workflow.assign(actor=p.b_leader, document=doc, instruction="Tham mưu", due_on=due,
                    assignees=[workflow.AssigneeInput(p.b_specialist, "lead")])
    assert any("Được giao" in s for s in smtp.subjects_to("chuyenvien.b@example.vn"))
    client.force_login(p.b_specialist)
    assert 'data-testid="wait-work-count">1<' in client.get("/").content.decode()
    # Reminders: once before the deadline, once after it, and the assigning leader hears of the late one.
    assert workflow.remind_near_deadlines() == 1
    assert workflow.remind_near_deadlines() == 0
    Assignment.objects.update(due_on=timezone.localdate() - timedelta(days=1))
    assert workflow.remind_near_deadlines() == 1
    assert Notification.objects.filter(user=p.b_specialist, kind="deadline_near").count() == 1
    assert Notification.objects.filter(user=p.b_specialist, kind="deadline_passed").count() == 1
    assert Notification.objects.filter(user=p.b_leader, kind="deadline_passed").count() == 1
    assert any("Quá hạn" in s for s in smtp.subjects_to("lanhdao.b@example.vn"))
