"""Dossier and archive pages, mounted under /ho-so/."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from vanban.records import (
    views,
    views_catalog,
    views_destruction,
    views_digitise,
    views_fonds,
    views_forms,
    views_lists,
)

app_name = "records"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views_lists.my_dossiers, name="my_dossiers"),
    path("xlsx/", views_lists.my_dossiers_xlsx, name="my_dossiers_xlsx"),
    path("danh-muc/", views.catalog, name="catalog"),
    path("danh-muc/<int:entry_id>/lap/", views.open_dossier, name="open"),
    path("danh-muc/them/", views_catalog.entry_form, name="catalog_entry_new"),
    path("danh-muc/<int:entry_id>/sua/", views_catalog.entry_form, name="catalog_entry_edit"),
    path("danh-muc/<int:entry_id>/bo/", views_catalog.remove_entry, name="catalog_entry_remove"),
    path("<int:pk>/", views.dossier_detail, name="dossier"),
    path("<int:pk>/van-ban/", views.file_document, name="file_document"),
    path("<int:pk>/tai-lieu/", views.upload_file, name="upload_file"),
    path("<int:pk>/so-hoa/", views_digitise.start, name="digitise"),
    path("<int:pk>/goi-eark/", views_digitise.export_package, name="export_package"),
    path("<int:pk>/so-hoa/<int:batch_id>/", views_digitise.progress, name="digitisation"),
    path("<int:pk>/bo/", views.remove_item, name="remove_item"),
    path("<int:pk>/thu-tu/", views.move_item, name="move_item"),
    path("<int:pk>/dong/", views.close, name="close"),
    path("<int:pk>/dac-ta/", views.edit_metadata, name="metadata"),
    path("<int:pk>/tep/<int:file_id>/", views.download, name="download"),
    path("<int:pk>/muc-luc.<str:fmt>", views_forms.dossier_index, name="dossier_index"),
    path("nop-luu/", views.transfers, name="transfers"),
    path("nop-luu/<int:pk>/muc-luc.<str:fmt>", views_forms.transfer_list, name="transfer_list"),
    path("nop-luu/<int:pk>/bien-ban.pdf", views_forms.handover_record, name="handover_record"),
    path("nop-luu/<int:pk>/", views.decide_transfer, name="decide_transfer"),
    path("kho/", views_lists.archive, name="archive"),
    path("kho/xlsx/", views_lists.archive_xlsx, name="archive_xlsx"),
    path("toan-ven/", views.fixity, name="fixity"),
    path("<int:pk>/phong-toa/", views_destruction.hold, name="hold"),
    path("phong/", views_fonds.fonds, name="fonds"),
    path("xet-huy/", views_destruction.reviews, name="destructions"),
    path("xet-huy/<int:pk>/", views_destruction.review_detail, name="destruction"),
    path("xet-huy/<int:pk>/thuc-hien/", views_destruction.review_act, name="destruction_act"),
    path("xet-huy/<int:pk>/bien-ban.pdf", views_destruction.review_record, name="destruction_record"),
    path("<int:pk>/goi/khai-thac/", views.request_dip, name="request_dip"),
    path("<int:pk>/goi/<int:package_id>/", views.download_package, name="download_package"),
]

from vanban.records import views_deadlines  # noqa: E402 — appended: hạn nộp lưu

urlpatterns += [
    path("han-nop-luu/", views_deadlines.due_list, name="submission_due"),
    path("<int:pk>/han-nop-luu/", views_deadlines.dossier_terms, name="submission_terms"),
]
