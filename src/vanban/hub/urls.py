"""Hub URLs, mounted under /hub/ when VANBAN_ROLES includes hub."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from vanban.hub import views, vxp_views
from vanban.hub.api import api

app_name = "hub"
urlpatterns: list[URLPattern | URLResolver] = [
    path("api/v1/", api.urls),  # first: the API is called far more often than the pages
    path("", views.dashboard, name="dashboard"),
    path("goi-tin/", views.packages, name="packages"),
    path("goi-tin/<uuid:package_id>/", views.package, name="package"),
    path("diem-ket-noi/", views.endpoints, name="endpoints"),
    path("diem-ket-noi/<int:endpoint_id>/thu-hoi/", views.endpoint_revoke, name="endpoint_revoke"),
    path("diem-ket-noi/<int:endpoint_id>/chinh-sach/", views.endpoint_policy, name="endpoint_policy"),
    path("chung-thu/", views.certificates, name="certificates"),
    path("dang-ky-co-quan/", vxp_views.claims, name="claims"),
    path("dang-ky-co-quan/<int:claim_id>/", vxp_views.claim_decide, name="claim_decide"),
    path("cach-ly/", views.refused, name="refused"),
    path("cach-ly/<int:refused_id>/thu-lai/", views.refused_retry, name="refused_retry"),
    path("cach-ly/<int:refused_id>/loai-bo/", views.refused_discard, name="refused_discard"),
]
