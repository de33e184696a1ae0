"""One request to one route as one person, reduced to what the access tests judge."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from django.test import Client

from tests.access.urls import Route
from tests.access.world import World

PAGE_METHODS = ("GET", "POST")
API_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


def form(world: World) -> dict[str, Any]:
    """A POST body with every field name the pages use: a view that forgot its permission check
    would act on it (and the database check would see it)."""
    ids = world.ids
    return {
        "comment": "đồng ý", "reason": "không đúng thẩm quyền", "note": "ghi chú", "text": "ghi chú",
        "result": "đã xong", "instruction": "xử lý ngay", "title": "tiêu đề mới", "subject": "trích yếu mới",
        "approver": world.users["a_leader"].pk, "leader": world.users["a_leader"].pk,
        "lead": world.users["a_specialist"].pk, "assignees": world.users["a_specialist"].pk,
        "document": ids["issued"], "document_id": ids["issued"], "item": ids["item"], "item_id": ids["item"],
        "items": ids["item"], "order": str(ids["item"]), "dossiers": ids["closed_dossier"],
        "decision": "accept", "action": "accept", "document_type": "cong-van", "role": "clerk",
        "agency": world.a.pk, "is_active": "", "username": "moi.a", "full_name": "Người Mới",
        "password1": "mat-khau-rat-dai-2026!", "password2": "mat-khau-rat-dai-2026!",
    }


def body(world: World) -> dict[str, Any]:
    """A JSON body valid for most API operations (so validation does not hide a missing check)."""
    ids = world.ids
    return {
        "approver": world.users["a_leader"].username, "comment": "đồng ý", "reason": "trả lại",
        "note": "ghi chú", "title": "tiêu đề", "entry_id": ids["catalog_entry"], "catalog_entry": ids["catalog_entry"],
        "document_id": ids["issued"], "dossier_ids": [ids["closed_dossier"]], "dossiers": [ids["closed_dossier"]],
        "values": {"language": "Tiếng Việt"}, "document_type": "cong-van", "subject": "trích yếu",
        "instruction": "xử lý ngay", "result": "đã xong",
        "assignees": [{"username": world.users["a_specialist"].username, "kind": "lead"}],
    }


@dataclass
class Answer:
    method: str
    url: str
    status: int
    text: str
    location: str

    def __str__(self) -> str:
        return f"{self.method} {self.url} -> {self.status}"


def _text(response: Any) -> str:
    data = b"".join(response.streaming_content) if getattr(response, "streaming", False) else response.content
    return data.decode("utf-8", errors="replace")


def call(client: Client, world: World, route: Route, method: str, url: str,
         headers: dict[str, str] | None = None) -> Answer:
    extra = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in (headers or {}).items()}
    if method == "GET":
        response = client.get(url, **extra)
    elif route.is_api:
        response = client.generic(method, url, json.dumps(body(world)), content_type="application/json", **extra)
    else:
        response = client.post(url, form(world), **extra)
    return Answer(method, url, response.status_code, _text(response), response.get("Location", ""))


def leaks(answer: Answer, world: World) -> list[str]:
    """A's secrets in the answer — except those the request itself carried (a login redirect
    echoing the path it was asked for tells the asker nothing new)."""
    return [s for s in world.secrets if s not in answer.url and (s in answer.text or s in answer.location)]
