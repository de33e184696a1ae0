from __future__ import annotations

from django.urls import path

from vanban.outgoing import views, views_signing

urlpatterns = [
    path("", views.drafts, name="drafts"),
    path("xlsx/", views.drafts_xlsx, name="drafts_xlsx"),
    path("moi/", views.draft_new, name="draft_new"),
    path("noi-nhan/", views.recipient_search, name="recipient_search"),
    path("so/", views.book, name="outgoing_book"),
    path("so/xlsx/", views.book, {"fmt": "xlsx"}, name="outgoing_book_xlsx"),
    path("so/pdf/", views.book, {"fmt": "pdf"}, name="outgoing_book_pdf"),
    path("so-noi-bo/", views.book, {"internal": True}, name="internal_book"),
    path("so-noi-bo/xlsx/", views.book, {"fmt": "xlsx", "internal": True}, name="internal_book_xlsx"),
    path("so-noi-bo/pdf/", views.book, {"fmt": "pdf", "internal": True}, name="internal_book_pdf"),
    path("<int:pk>/", views.detail, name="document_detail"),
    path("<int:pk>/sua/", views.draft_edit, name="draft_edit"),
    path("<int:pk>/trinh/", views.act, {"action": "submit"}, name="draft_submit"),
    path("<int:pk>/tra-lai/", views.act, {"action": "return"}, name="draft_return"),
    path("<int:pk>/ky-duyet/", views.act, {"action": "approve"}, name="draft_approve"),
    path("<int:pk>/ky-tu-xa/", views.act, {"action": "approve_remote"}, name="draft_approve_remote"),
    path("<int:pk>/ky-token/chuan-bi/", views_signing.prepare, name="device_sign_prepare"),
    path("<int:pk>/ky-token/hoan-tat/", views_signing.complete, name="device_sign_complete"),
    path("<int:pk>/phat-hanh/", views.act, {"action": "issue"}, name="document_issue"),
    path("<int:pk>/thu-hoi/", views.act, {"action": "revoke"}, name="document_revoke"),
]
