from __future__ import annotations

from django.urls import path

from vanban.workflow import views, views_deadlines

urlpatterns = [
    path("", views.my_work, name="my_work"),
    path("xlsx/", views.my_work_xlsx, name="my_work_xlsx"),
    path("phan-cong-nhieu/", views.assign_many, name="assign_many"),
    path("thong-bao/", views.notifications, name="notifications"),
    path("thoi-han/", views_deadlines.rules, name="deadline_rules"),
    path("thoi-han/<int:pk>/bo/", views_deadlines.delete, name="deadline_rule_delete"),
    path("<int:pk>/bat-dau/", views.start, name="assignment_start"),
    path("<int:pk>/ghi-chu/", views.note, name="assignment_note"),
    path("<int:pk>/hoan-thanh/", views.complete, name="assignment_complete"),
]
