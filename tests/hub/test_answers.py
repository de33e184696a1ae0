"""The answers of submit, inbox and ack are rendered by the views (`hub.api._answer`), not by
ninja: these tests hold them to the schemas the OpenAPI document publishes — the same fields, in
the same order, with the same types and Content-Type as ninja's validation and rendering gave."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.hub.conftest import A, B, two_systems
from tests.hub.packages import Identity, document, status
from vanban.hub.api import AckOut, InboxItem, SubmitOut, api

pytestmark = pytest.mark.django_db(transaction=True)

CONTENT_TYPE = "application/json; charset=utf-8"


def _as_ninja_renders(schema: type, data: Any) -> Any:
    """What ninja made of the same value: validated against the schema, dumped by alias."""
    return json.loads(json.dumps(schema.model_validate(data).model_dump(by_alias=True)))


def test_submit_inbox_and_ack_answer_in_their_documented_shape(ids: dict[str, Identity], queued_jobs: None) -> None:
    a, b = two_systems(ids)
    data, _ = document(ids[A], B)
    sent = a.post("/hub/api/v1/packages", data, content_type="application/xml")
    assert (sent.status_code, sent["Content-Type"]) == (201, CONTENT_TYPE)
    body = json.loads(sent.content)
    assert list(body) == ["id", "document_id", "duplicate"] and body["duplicate"] is False
    assert body == _as_ninja_renders(SubmitOut, body) and body["document_id"]
    again = a.post("/hub/api/v1/packages", data, content_type="application/xml")
    assert again.status_code == 200 and json.loads(again.content) == {**body, "duplicate": True}

    answer = b.post("/hub/api/v1/packages", status(ids[B], A, body["document_id"], "01"),
                    content_type="application/xml")
    assert answer.status_code == 201

    listed = b.get("/hub/api/v1/inbox")
    assert (listed.status_code, listed["Content-Type"]) == (200, CONTENT_TYPE)
    items = json.loads(listed.content)
    assert [i["id"] for i in items] == [body["id"]]
    assert items == [_as_ninja_renders(InboxItem, i) for i in items]
    assert list(items[0]) == ["id", "kind", "from", "to", "document_id", "status_code", "received_at", "size",
                              "sha256", "data"]
    assert items[0]["data"] is None and items[0]["from"] == A and items[0]["to"] == B
    assert items[0]["received_at"].endswith("+07:00") and items[0]["size"] == len(data)

    inline = json.loads(b.get("/hub/api/v1/inbox?inline=1000000").content)
    assert inline == [_as_ninja_renders(InboxItem, i) for i in inline] and inline[0]["data"]

    acked = b.post(f"/hub/api/v1/packages/{body['id']}/ack")
    assert (acked.status_code, acked["Content-Type"]) == (200, CONTENT_TYPE)
    ack_body = json.loads(acked.content)
    assert list(ack_body) == ["id", "delivered", "delivered_at"] and ack_body == _as_ninja_renders(AckOut, ack_body)
    assert ack_body["id"] == body["id"] and ack_body["delivered"] is True
    assert json.loads(b.get("/hub/api/v1/inbox").content) == []

    # A's inbox holds B's status: its kind and code come out as documented too.
    status_items = json.loads(a.get("/hub/api/v1/inbox").content)
    assert [i["kind"] for i in status_items] == ["status"] and status_items[0]["status_code"]
    assert status_items == [_as_ninja_renders(InboxItem, i) for i in status_items]


def test_the_schemas_those_answers_follow_are_still_published() -> None:
    schema = api.get_openapi_schema()
    components = schema["components"]["schemas"]
    assert set(components["SubmitOut"]["properties"]) == {"id", "document_id", "duplicate"}
    assert set(components["AckOut"]["properties"]) == {"id", "delivered", "delivered_at"}
    assert set(components["InboxItem"]["properties"]) == {"id", "kind", "from", "to", "document_id", "status_code",
                                                          "received_at", "size", "sha256", "data"}
    paths = schema["paths"]
    assert {str(s) for s in paths["/hub/api/v1/packages"]["post"]["responses"]} >= {"200", "201"}
    assert "200" in {str(s) for s in paths["/hub/api/v1/inbox"]["get"]["responses"]}
