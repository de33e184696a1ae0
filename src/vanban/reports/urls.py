from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from vanban.reports import views

app_name = "reports"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.index, name="index"),
    path("lanh-dao/", views.leader, name="leader"),
    path("van-thu/", views.clerk, name="clerk"),
    path("truc-lien-thong/", views.hub, name="hub"),
    path("dinh-ky/", views.periodic, name="periodic"),
    path("dinh-ky/xlsx/", views.periodic_xlsx, name="periodic_xlsx"),
    path("dinh-ky/pdf/", views.periodic_pdf, name="periodic_pdf"),
]
