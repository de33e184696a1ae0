"""The search page and the API: signed-in users only, results only from what they may open."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client

from tests.search.api_client import RouterClient
from tests.search.builders import make_document
from tests.search.conftest import Two
from vanban.search.api import router
from vanban.search.indexing import reindex_all

pytestmark = pytest.mark.django_db


@pytest.fixture
def indexed(two: Two) -> dict[str, object]:
    mine = make_document(two.a, type_code="quyet-dinh", subject="Quyết định khen thưởng tập thể")
    theirs = make_document(two.b, type_code="quyet-dinh", subject="Quyết định khen thưởng cá nhân")
    incoming = make_document(two.a, direction="incoming", state="accepted", subject="Khen thưởng từ Sở",
                             issuer_name="Sở Nội vụ")
    reindex_all()
    return {"mine": mine, "theirs": theirs, "incoming": incoming}


def test_page_needs_login(client: Client) -> None:
    response = client.get("/tim-kiem/?q=x")
    assert response.status_code == 302 and "/dang-nhap/" in response["Location"]


def test_page_lists_only_visible_hits(client: Client, two: Two, indexed: dict) -> None:
    client.force_login(two.clerk)
    body = client.get("/tim-kiem/", {"q": "khen thuong"}).content.decode()
    assert "khen thưởng tập thể" in body and "Khen thưởng từ Sở" in body
    assert "cá nhân" not in body
    assert "Tìm thấy 2 văn bản" in body
    assert f"/van-ban-di/{indexed['mine'].pk}/" in body


def test_the_search_exports_to_xlsx_with_the_same_visibility(client: Client, two: Two, indexed: dict,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    from vanban.core.spreadsheet import xlsx_rows
    from vanban.search import views

    client.force_login(two.clerk)
    page = client.get("/tim-kiem/", {"q": "khen thuong"}).content.decode()
    assert 'href="/tim-kiem/xlsx/?q=khen+thuong"' in page
    answer = client.get("/tim-kiem/xlsx/", {"q": "khen thuong"})
    assert answer.status_code == 200 and answer["Content-Disposition"].endswith('ket-qua-tim-kiem.xlsx"')
    rows = [cells for _, cells in xlsx_rows(answer.content)]
    assert rows[1][0] == "KẾT QUẢ TÌM KIẾM VĂN BẢN" and "Từ khóa: “khen thuong”. 2 văn bản;" in rows[2][0]
    body = rows[6:8]
    assert sorted((r[3], r[4], r[5]) for r in body) == [
        ("Công văn — Khen thưởng từ Sở", "Sở Nội vụ", "đến"),
        ("Quyết định — Quyết định khen thưởng tập thể", indexed["mine"].agency.name, "đi")]
    assert indexed["mine"].notation in {r[1] for r in body}
    assert not any("cá nhân" in c for r in rows for c in r)  # another agency's document is not exported
    # more than the export holds: the first rows and a line saying so
    monkeypatch.setattr(views, "EXPORT_ROWS", 1)
    monkeypatch.setattr(views, "MAX_PAGE_SIZE", 1)
    rows = [cells for _, cells in xlsx_rows(client.get("/tim-kiem/xlsx/", {"q": "khen thuong"}).content)]
    assert "1 văn bản đầu trong 2" in rows[2][0] and rows[-1][0].startswith("Chỉ xuất 1 văn bản đầu")


def test_page_without_query_shows_form_only(client: Client, two: Two) -> None:
    client.force_login(two.clerk)
    response = client.get("/tim-kiem/")
    assert response.status_code == 200
    assert 'data-testid="search-results"' not in response.content.decode()


def test_page_refuses_a_foreign_agency_filter(client: Client, two: Two, indexed: dict) -> None:
    client.force_login(two.clerk)
    body = client.get("/tim-kiem/", {"q": "khen", "agency": "000.00.02.H16"}).content.decode()
    assert "không hợp lệ" in body
    assert "cá nhân" not in body


def test_page_user_without_agency_finds_nothing(client: Client, two: Two, indexed: dict) -> None:
    client.force_login(two.outsider)
    body = client.get("/tim-kiem/", {"q": "khen thuong"}).content.decode()
    assert "Tìm thấy 0 văn bản" in body


def test_api_results_and_errors(two: Two, indexed: dict) -> None:
    api = RouterClient(router, "search")
    status, data = api.get(two.clerk, "", q="khen thuong", sort="date")
    assert status == 200
    assert data["total"] == 2
    assert {r["id"] for r in data["results"]} == {indexed["mine"].pk, indexed["incoming"].pk}
    status, data = api.get(two.clerk, "", q="Khen", direction="incoming")
    assert [r["id"] for r in data["results"]] == [indexed["incoming"].pk]
    status, data = api.get(two.clerk, "", q="x", sort="random")
    assert status == 422 and data["error"]["code"] == "VALIDATION_ERROR"
    status, data = api.get(two.clerk, "", q="x", state="nonsense")
    assert status == 422 and data["error"]["code"] == "SEARCH_BAD_STATE"
    status, data = api.get(two.clerk_b, "", q="khen thuong")
    assert [r["id"] for r in data["results"]] == [indexed["theirs"].pk]


def test_api_needs_a_session(two: Two, indexed: dict) -> None:
    api = RouterClient(router, "search")
    status, _ = api.get(None if api.mounted else AnonymousUser(), "", q="khen")
    assert status == 401
