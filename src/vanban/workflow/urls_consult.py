"""Asking units and other agencies for their opinion on a draft (xin ý kiến), under the
outgoing document's URL: the pages are the workflow app's."""

from __future__ import annotations

from django.urls import path

from vanban.workflow import views_consult

urlpatterns = [
    path("<int:pk>/xin-y-kien/", views_consult.ask, name="consult_ask"),
    path("<int:pk>/y-kien/<int:request_id>/", views_consult.answer, name="consult_answer"),
]
