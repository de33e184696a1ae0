from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from vanban.search import views

app_name = "search"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.search_page, name="search"),
    path("xlsx/", views.search_xlsx, name="search_xlsx"),
]
