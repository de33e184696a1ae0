"""URLs by role (`VANBAN_ROLES`): shared pages always, the office (documents, records, the office
API…) when `office` is on, the hub under /hub/ and /vxp/ when `hub` is on."""

from __future__ import annotations

from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from vanban.accounts import views as accounts_views
from vanban.accounts import views_delegation, views_units
from vanban.agencies import views as agencies_views
from vanban.portal import audit_log
from vanban.portal import views as portal_views
from vanban.trust import views as trust_views

admin.site.site_header = "Quản trị vanban"
admin.site.site_title = "vanban"

# Shared by every role: signing in, the agency directory, people, the audit log, operations.
urlpatterns = [
    path("", portal_views.home, name="home"),
    path("chuyen-co-quan/", portal_views.switch, name="switch_agency"),
    path("dang-nhap/", accounts_views.LoginView.as_view(), name="login"),
    path("dang-xuat/", auth_views.LogoutView.as_view(), name="logout"),
    path("doi-mat-khau/", accounts_views.PasswordChangeView.as_view(), name="password_change"),
    path("danh-ba/", agencies_views.directory, name="agency_directory"),
    path("danh-ba/<str:code>/", agencies_views.detail, name="agency_detail"),
    path("nguoi-dung/", accounts_views.user_list, name="user_list"),
    path("nguoi-dung/them/", accounts_views.user_create, name="user_create"),
    path("nguoi-dung/<int:user_id>/", accounts_views.user_edit, name="user_edit"),
    path("nguoi-dung/duyet-vai-tro/", accounts_views.role_requests, name="role_requests"),
    path("uy-quyen/", views_delegation.delegations, name="delegations"),
    path("uy-quyen/<int:pk>/thu-hoi/", views_delegation.delegation_revoke, name="delegation_revoke"),
    path("don-vi/", views_units.unit_list, name="unit_list"),
    path("don-vi/nhap/", views_units.unit_import, name="unit_import"),
    path("don-vi/xuat.<str:fmt>", views_units.unit_export, name="unit_export"),
    path("don-vi/<int:unit_id>/", views_units.unit_edit, name="unit_edit"),
    path("don-vi/<int:unit_id>/xep-nguoi/", views_units.unit_place, name="unit_place"),
    path("don-vi/<int:unit_id>/bo-nguoi/<int:membership_id>/", views_units.unit_unplace, name="unit_unplace"),
    path("nhat-ky/", audit_log.audit_log, name="audit_log"),
    path("nhat-ky/xlsx/", audit_log.audit_log_xlsx, name="audit_log_xlsx"),
    path("van-hanh/", portal_views.operations, name="operations"),
    path("kho-tin-cay/", trust_views.anchor_list, name="trust_anchors"),
    path("quan-tri/", admin.site.urls),
]

if "office" in settings.VANBAN_ROLES:  # the agency's document system; a hub-only process serves none of it
    from vanban.api.main import api
    from vanban.outgoing import views_public

    urlpatterns += [
        path("xac-thuc/", views_public.enter_code, name="public_enter_code"),
        path("xac-thuc/<str:code>/", views_public.verify, name="public_verify"),
        path("api/v1/", api.urls),
        path("ho-so/", include("vanban.records.urls")),
        path("van-ban-di/", include("vanban.outgoing.urls")),
        path("van-ban-di/", include("vanban.documents.urls")),  # files, both directions
        path("van-ban-di/", include("vanban.workflow.urls_consult")),
        path("van-ban-den/", include("vanban.incoming.urls")),
        path("trao-doi/", include("vanban.exchange.urls")),
        path("cong-viec/", include("vanban.workflow.urls")),
        path("tim-kiem/", include("vanban.search.urls")),
        path("bao-cao/", include("vanban.reports.urls")),
        path("to-chuc-lai/", include("vanban.reorg.urls")),
    ]

if "hub" in settings.VANBAN_ROLES:
    # First: agency systems call the hub API many times a second, and each URL tried before the
    # one that matches is a regular expression run on every call (no other pattern starts so).
    urlpatterns.insert(0, path("hub/", include("vanban.hub.urls")))
    urlpatterns.append(path("vxp/", include("vanban.hub.vxp_urls")))

handler403 = "vanban.portal.views.error_403"
handler404 = "vanban.portal.views.error_404"
handler500 = "vanban.portal.views.error_500"
