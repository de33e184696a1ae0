from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from vanban.agencies import events
from vanban.agencies.models import Agency
from vanban.audit.services import record_event


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "abbreviation", "level", "parent", "is_demo")
    search_fields = ("code", "name", "search_text", "code_qd20")
    list_filter = ("level", "is_demo")
    raw_id_fields = ("parent",)

    def save_model(self, request: HttpRequest, obj: Agency, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        record_event(events.CHANGED if change else "agencies.created", actor=request.user,
                     agency_code=obj.code, obj=obj,
                     details={"fields": sorted(form.changed_data)})

    def delete_model(self, request: HttpRequest, obj: Agency) -> None:
        record_event(events.DELETED, actor=request.user, agency_code=obj.code, obj=obj)
        super().delete_model(request, obj)
