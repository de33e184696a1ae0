"""Every page and API endpoint, from Django's URL resolver, filled with agency A's objects:

- a person of agency B holding every office role gets 403/404 (the same answer as for an id
  that does not exist), never sees one of A's subjects, notations or codes, and changes nothing;
- a member of A without the role a route needs gets 403/404 and changes nothing;
- nobody signed in gets the login page (or 401 from an API), and B's hub endpoint token gets
  404 for A's package; the admin answers only staff.

"Changes nothing" is a digest of every row of every table (tests/access/dbstate.py), the
audit chain included.
"""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import reverse

from tests.access import dbstate
from tests.access.probe import API_METHODS, PAGE_METHODS, Answer, call, leaks
from tests.access.roles import ROLE_REFUSED
from tests.access.urls import FILL, PUBLIC, PUBLIC_EXISTENCE, PUBLIC_OBJECTS, Route, routes
from tests.access.world import MARK, World
from vanban.audit.models import AuditEvent
from vanban.documents.models import Document

pytestmark = [pytest.mark.integration, pytest.mark.django_db]

REFUSED = {403, 404}
# Requests by which B's person legitimately writes in B's own agency (or runs a province-wide
# check): run apart, then checked to have touched nothing of A's.
OWN_WRITES = {
    ("POST", "api/v1/documents"): "creates a draft in the caller's current agency (B)",
    ("POST", "ho-so/toan-ven/"): "any archivist may ask for a fixity pass over every blob (province-wide, "
                                 "reads only; its page shows counts, not names)",
}
LOGOUT = "dang-xuat/"  # would end the session of the person under test; Django's own view


def _routes() -> list[Route]:
    seen: dict[str, Route] = {}
    for r in routes():
        seen.setdefault(r.route, r)
    return list(seen.values())


def _methods(route: Route) -> tuple[str, ...]:
    return API_METHODS if route.is_api else PAGE_METHODS


def _hub_headers(world: World, who: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {world.hub_tokens[who]}"}


def test_every_route_is_filled_and_classified() -> None:
    problems = []
    for r in _routes():
        if r.params and r.route not in FILL:
            problems.append(f"{r.route}: add to tests/access/urls.py FILL which of A's objects it names")
        if not r.is_hub_api and r.route not in PUBLIC and r.route not in ROLE_REFUSED:
            problems.append(f"{r.route}: add to tests/access/roles.py ROLE_REFUSED who in A must be refused")
    stale = sorted(set(FILL) - {r.route for r in _routes()})
    problems += [f"{s}: in FILL but no longer a route" for s in stale]
    assert not problems, "\n".join(problems)


def test_another_agency_learns_nothing_and_changes_nothing(world: World) -> None:
    stranger = world.client("b_all")
    before = dbstate.snapshot()
    problems: list[str] = []
    checked = 0
    for r in _routes():
        if r.route == LOGOUT or (r.params and r.route not in FILL):
            continue
        headers = _hub_headers(world, "b") if r.is_hub_api else None
        for method in _methods(r):
            if (method, r.route) in OWN_WRITES:
                continue
            answer = call(stranger, world, r, method, r.url(world.ids), headers)
            checked += 1
            if answer.status >= 500:
                problems.append(f"{answer}: server error")
            if leaked := leaks(answer, world):
                problems.append(f"{answer}: shows {leaked[:3]}")
            if r.names_object and r.route not in PUBLIC and r.route not in PUBLIC_OBJECTS:
                if answer.status not in {*REFUSED, 401, 405}:
                    problems.append(f"{answer}: expected 403/404")
                missing = call(stranger, world, r, method, r.url(world.ids, missing=True), headers)
                if missing.status != answer.status and r.route not in PUBLIC_EXISTENCE:
                    problems.append(f"{answer} but {missing}: tells A's object exists")
    # Query strings that name A: search, another agency's catalog, report filters.
    # The words asked for are in A's subjects; the answer must not show the marker every one carries.
    words = "quyết định"
    for url in (f"/tim-kiem/?q={words}", f"/api/v1/records/catalogs/2026?agency={world.a.code}",
                f"/van-ban-di/noi-nhan/?q={words}", f"/bao-cao/dinh-ky/?agency={world.a.pk}&year=2026",
                f"/bao-cao/dinh-ky/xlsx/?agency={world.a.pk}&year=2026&period=year",
                f"/van-ban-di/?q={words}", f"/van-ban-den/?q={words}", f"/nhat-ky/?q={words}",
                f"/nhat-ky/?agency={world.a.pk}", f"/van-ban-di/so/?agency={world.a.pk}"):
        response = stranger.get(url)
        answer = Answer("GET", url, response.status_code, response.content.decode(errors="replace"), "")
        checked += 1
        if answer.status >= 500 or leaks(answer, world):
            problems.append(f"{answer}: {leaks(answer, world)[:3] or 'server error'}")
    assert checked > 150
    assert not problems, "\n".join(problems)
    assert dbstate.changes(before, dbstate.snapshot()) == []

    a_documents = dbstate.digest(Document.objects.filter(agency=world.a))
    last_event = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first()
    for (method, route), _why in OWN_WRITES.items():
        answer = call(stranger, world, Route(route, None, ()), method, "/" + route)
        assert answer.status < 400 and not leaks(answer, world), answer
    assert dbstate.digest(Document.objects.filter(agency=world.a)) == a_documents
    new_events = AuditEvent.objects.filter(pk__gt=last_event)
    assert new_events.exists()
    assert world.a.code not in set(new_events.values_list("agency_code", flat=True))


def test_members_without_the_role_are_refused_and_change_nothing(world: World) -> None:
    clients = {who: world.client(who) for who in {w for v in ROLE_REFUSED.values() if isinstance(v, tuple)
                                                  for w in v}}
    before = dbstate.snapshot()
    problems: list[str] = []
    for r in _routes():
        refused = ROLE_REFUSED.get(r.route)
        if not isinstance(refused, tuple) or (r.params and r.route not in FILL):
            continue
        for who in refused:
            answers = [call(clients[who], world, r, m, r.url(world.ids)) for m in _methods(r)]
            wrong = [a for a in answers if a.status not in {*REFUSED, 405}]
            if wrong or all(a.status == 405 for a in answers):
                problems.append(f"{who}: " + ", ".join(map(str, answers)))
    assert not problems, "\n".join(problems)
    assert dbstate.changes(before, dbstate.snapshot()) == []


def test_nobody_signed_in_gets_the_login_page_or_401(world: World) -> None:
    anonymous = Client()
    before = dbstate.snapshot()
    problems = []
    for r in _routes():
        if r.route in PUBLIC or (r.params and r.route not in FILL):
            continue
        for method in _methods(r):
            answer = call(anonymous, world, r, method, r.url(world.ids))
            fine = (answer.status in {401, 405} if r.is_api else
                    answer.status == 302 and answer.location.startswith("/dang-nhap/"))
            if not fine or leaks(answer, world):
                problems.append(f"{answer} {answer.location}")
    assert not problems, "\n".join(problems)
    assert dbstate.changes(before, dbstate.snapshot()) == []


def test_hub_api_with_another_endpoints_token(world: World) -> None:
    """B's system cannot read, trace or acknowledge A's package to C; its inbox does not list it."""
    b = Client()
    auth = {"HTTP_AUTHORIZATION": f"Bearer {world.hub_tokens['b']}"}
    package = world.ids["package"]
    before = dbstate.snapshot()
    assert b.get(f"/hub/api/v1/packages/{package}", **auth).status_code == 404
    assert b.get(f"/hub/api/v1/packages/{package}/trace", **auth).status_code == 404
    assert b.post(f"/hub/api/v1/packages/{package}/ack", **auth).status_code == 404
    inbox = b.get("/hub/api/v1/inbox", **auth)
    assert inbox.status_code == 200
    assert inbox.json() == []
    assert dbstate.changes(before, dbstate.snapshot()) == []
    # The sender itself may trace it: the test would see a broken fill.
    mine = Client().get(f"/hub/api/v1/packages/{package}/trace",
                        HTTP_AUTHORIZATION=f"Bearer {world.hub_tokens['a']}")
    assert mine.status_code == 200


def test_admin_answers_staff_only(world: World) -> None:
    """Every registered model's admin pages, as B's all-roles person and A's agency admin:
    Django's admin sends non-staff to its login and acts on nothing."""
    clients = {who: world.client(who) for who in ("b_all", "a_admin")}
    before = dbstate.snapshot()
    problems = []
    login = reverse("admin:login")
    urls = [reverse("admin:index")]
    for model in admin.site._registry:
        info = (model._meta.app_label, model._meta.model_name)
        row = model._default_manager.order_by("pk").first()
        urls += [reverse("admin:{}_{}_changelist".format(*info)), reverse("admin:{}_{}_add".format(*info))]
        if row is not None:
            urls += [reverse(f"admin:{info[0]}_{info[1]}_{view}", args=[row.pk]) for view in ("change", "delete")]
    for who, client in clients.items():
        for url in urls:
            for response in (client.get(url), client.post(url, {"post": "yes", "action": "delete_selected"})):
                location = response.get("Location", "")
                if response.status_code != 302 or not location.startswith(login):
                    problems.append(f"{who} {url} -> {response.status_code} {location}")
    assert len(urls) > 20
    assert not problems, "\n".join(problems)
    assert dbstate.changes(before, dbstate.snapshot()) == []


def test_the_fill_is_real(world: World) -> None:
    """The people who may see A's objects do see them: the refusals above are about people,
    not about ids that point nowhere."""
    drafter = world.client("a_specialist")
    for route in ("van-ban-di/<int:pk>/", "api/v1/documents/<pk>", "ho-so/<int:pk>/",
                  "ho-so/<int:pk>/tep/<int:file_id>/", "van-ban-di/tep/<int:file_id>/", "van-ban-den/<int:pk>/"):
        r = Route(route, None, ())
        assert drafter.get(r.url(world.ids)).status_code == 200, route
    operator = world.client("operator")
    assert operator.get(f"/hub/goi-tin/{world.ids['package']}/").status_code == 200
    page = drafter.get(f"/van-ban-di/{world.ids['draft']}/").content.decode()
    assert MARK in page
    # The quarantines: A's clerk sees A's held package; the hub operator sees the refused one.
    held = world.client("a_clerk").get("/trao-doi/cach-ly/")
    assert held.status_code == 200 and f"{MARK}-cach-ly" in held.content.decode()
    refused = operator.get("/hub/cach-ly/")
    assert refused.status_code == 200 and "EDXML_SIGNATURE_MISSING" in refused.content.decode()
