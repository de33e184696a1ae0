"""`/vxp/<operation>`: the national SDK's paths, served by this hub (include at the site root)."""

from __future__ import annotations

from django.urls import URLPattern, path

from vanban.hub import vxp

app_name = "vxp"
urlpatterns: list[URLPattern] = [path("<str:name>", vxp.operation, name="operation")]
