from __future__ import annotations

from django.urls import path

from vanban.workflow import views

urlpatterns = [
    path("", views.my_work, name="my_work"),
    path("thong-bao/", views.notifications, name="notifications"),
    path("<int:pk>/bat-dau/", views.start, name="assignment_start"),
    path("<int:pk>/ghi-chu/", views.note, name="assignment_note"),
    path("<int:pk>/hoan-thanh/", views.complete, name="assignment_complete"),
]
