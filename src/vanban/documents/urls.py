from __future__ import annotations

from django.urls import path

from vanban.documents import views

urlpatterns = [
    path("tep/<int:file_id>/", views.download, name="document_file"),
]
