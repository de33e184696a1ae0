"""The records router on a test API until the lead mounts it in vanban.api.main (same paths)."""

from __future__ import annotations

from django.urls import include, path
from ninja import NinjaAPI

from vanban import apierrors as errors
from vanban.accounts.apiauth import default_auth
from vanban.records.api import router

api = NinjaAPI(title="records test", auth=default_auth(), urls_namespace="records-test")
errors.install(api)
api.add_router("/records", router)

urlpatterns = [
    path("api/v1/", api.urls),
    path("", include("vanban.urls")),
]
