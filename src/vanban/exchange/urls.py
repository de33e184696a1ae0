"""Office exchange pages, mounted under /trao-doi/."""

from __future__ import annotations

from django.urls import path

from vanban.exchange import views

urlpatterns = [
    path("cach-ly/", views.quarantine_list, name="exchange_quarantine"),
    path("cach-ly/<int:entry_id>/thu-lai/", views.quarantine_retry, name="exchange_quarantine_retry"),
    path("cach-ly/<int:entry_id>/loai-bo/", views.quarantine_discard, name="exchange_quarantine_discard"),
]
