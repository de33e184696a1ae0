from __future__ import annotations

from django.urls import path

from vanban.incoming import views

urlpatterns = [
    path("", views.arrivals, name="incoming_list"),
    path("xlsx/", views.arrivals_xlsx, name="incoming_list_xlsx"),
    path("so/", views.book, name="incoming_book"),
    path("so/xlsx/", views.book, {"fmt": "xlsx"}, name="incoming_book_xlsx"),
    path("so/pdf/", views.book, {"fmt": "pdf"}, name="incoming_book_pdf"),
    path("vao-so-van-ban-giay/", views.register_paper, name="incoming_paper"),
    path("vao-so-van-ban-giay/nhan-dang/<int:job_id>/", views.paper_ocr, name="incoming_paper_ocr"),
    path("<int:pk>/", views.detail, name="incoming_detail"),
    path("<int:pk>/tiep-nhan/", views.accept, name="incoming_accept"),
    path("<int:pk>/tu-choi/", views.reject, name="incoming_reject"),
    path("<int:pk>/chuyen-lanh-dao/", views.forward, name="incoming_forward"),
    path("<int:pk>/phan-cong/", views.assign, name="incoming_assign"),
    path("<int:pk>/don-vi/<int:task_id>/phan-cong/", views.assign_in_unit, name="incoming_assign_in_unit"),
    path("<int:pk>/don-vi/<int:task_id>/tra-lai/", views.return_unit_task, name="incoming_return_unit_task"),
]
