from __future__ import annotations

from django.urls import path

from vanban.workflow import views, views_deadlines, views_processes

urlpatterns = [
    path("", views.my_work, name="my_work"),
    path("xlsx/", views.my_work_xlsx, name="my_work_xlsx"),
    path("da-giao/", views.assigned_list, name="assigned_list"),
    path("da-giao/xlsx/", views.assigned_xlsx, name="assigned_xlsx"),
    path("phan-cong-nhieu/", views.assign_many, name="assign_many"),
    path("thong-bao/", views.notifications, name="notifications"),
    path("thong-bao/doc/", views.notifications_read, name="notifications_read"),
    path("thong-bao/<int:pk>/", views.notification_open, name="notification_open"),
    path("thoi-han/", views_deadlines.rules, name="deadline_rules"),
    path("thoi-han/<int:pk>/bo/", views_deadlines.delete, name="deadline_rule_delete"),
    path("quy-trinh/", views_processes.process_list, name="processes"),
    path("quy-trinh/<int:pk>/", views_processes.process_detail, name="process_detail"),
    path("quy-trinh/<int:pk>/sua/", views_processes.process_edit, name="process_edit"),
    path("quy-trinh/<int:pk>/thoi-ap-dung/", views_processes.process_withdraw, name="process_withdraw"),
    path("quy-trinh/phien-ban/<int:pk>/them-buoc/", views_processes.step_add, name="process_step_add"),
    path("quy-trinh/phien-ban/<int:pk>/them-thao-tac/", views_processes.transition_add, name="process_transition_add"),
    path("quy-trinh/phien-ban/<int:pk>/ban-hanh/", views_processes.publish, name="process_publish"),
    path("quy-trinh/buoc/<int:pk>/bo/", views_processes.step_remove, name="process_step_remove"),
    path("quy-trinh/thao-tac/<int:pk>/bo/", views_processes.transition_remove, name="process_transition_remove"),
    path("quy-trinh/van-ban/<int:pk>/chuyen/", views_processes.move, name="process_move"),
    path("quy-trinh/van-ban/<int:pk>/giao-lai/", views_processes.reassign, name="process_reassign"),
    path("<int:pk>/bat-dau/", views.start, name="assignment_start"),
    path("<int:pk>/ghi-chu/", views.note, name="assignment_note"),
    path("<int:pk>/hoan-thanh/", views.complete, name="assignment_complete"),
]
