from django.urls import path

from vanban.reorg import views

urlpatterns = [
    path("", views.reorganise, name="reorganise"),
]
