"""Hub URLs, mounted under /hub/ when VANBAN_ROLES includes hub."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver

app_name = "hub"
urlpatterns: list[URLPattern | URLResolver] = []
