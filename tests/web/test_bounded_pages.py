"""Issue 23, "Bounded pages": every list shows one page of rows however many there are, with the
total and the way to the next page, and costs the same number of SQL statements with 5 rows as
with 60 (no statement per row). Times live in bench/pages_bench.py; these tests count."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import lxml.html
import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories import make_agency, make_user
from vanban.core.text import fold
from vanban.documents.models import Document, DocumentType, RegisterBook
from vanban.incoming.models import IncomingDocument
from vanban.outgoing.models import OutgoingDocument
from vanban.records.models import Dossier
from vanban.search.models import SearchEntry
from vanban.search.text import tokens_text
from vanban.workflow.models import Assignment, Instruction, Notification

pytestmark = pytest.mark.django_db

PAGE = 50  # web.listing.PAGE_SIZE


@dataclass
class World:
    agency: Any
    clerk: Any
    leader: Any
    specialist: Any
    archivist: Any
    made: int = 0


@pytest.fixture
def world(document_types: None) -> World:
    agency = make_agency("000.00.77.H16", "Ủy ban nhân dân huyện Thử Trang", abbreviation="UBND")
    return World(agency, make_user(agency, "clerk", full_name="Văn thư"),
                 make_user(agency, "leader", full_name="Lãnh đạo"),
                 make_user(agency, "specialist", full_name="Chuyên viên"),
                 make_user(agency, "archivist", full_name="Lưu trữ viên"))


def fill(w: World, n: int) -> None:
    """n more rows of every kind a list page shows, written as the services leave them."""
    now = timezone.now()
    year = timezone.localdate().year
    cv = DocumentType.objects.get(code="cong-van")
    arrivals = RegisterBook.objects.get_or_create(agency=w.agency, year=year, direction="incoming", scope="incoming",
                                                  defaults={"name": "Sổ đến"})[0]
    outgoing = RegisterBook.objects.get_or_create(agency=w.agency, year=year, direction="outgoing",
                                                  scope="administrative", defaults={"name": "Sổ đi"})[0]
    docs: list[Document] = []
    for i in range(w.made, w.made + n):
        at = now - timedelta(hours=i + 1)

        def doc(direction: str, state: str, n: int = i, at: Any = at, **extra: Any) -> Document:
            return Document(agency=w.agency, direction=direction, state=state, document_type=cv,
                            subject=f"Về việc kế hoạch số {n} {state}", **extra)

        docs += [doc("incoming", "arrived", arrived_at=at, issuer_name="Sở Tài chính"),
                 doc("incoming", "accepted", arrived_at=at, accepted_at=at,
                     due_on=timezone.localdate() - timedelta(days=1)),
                 doc("incoming", "in_progress", arrived_at=at, accepted_at=at,
                     due_on=timezone.localdate() + timedelta(days=3)),
                 doc("outgoing", "draft", drafter=w.specialist),
                 doc("outgoing", "submitted", drafter=w.specialist, approver=w.leader),
                 doc("outgoing", "approved", drafter=w.specialist, approver=w.leader),
                 doc("outgoing", "issued", drafter=w.specialist, approver=w.leader, register_book=outgoing,
                     number=i + 1, notation=f"{i + 1:02d}/UBND", issued_at=at, issued_on=at.date(),
                     identifier_code=f"{w.agency.code}-{year}.{i + 1}")]
    Document.objects.bulk_create(docs)
    OutgoingDocument.objects.bulk_create([OutgoingDocument(document=d) for d in docs if d.direction == "outgoing"])
    arriving = [d for d in docs if d.direction == "incoming"]
    IncomingDocument.objects.bulk_create(
        [IncomingDocument(document=d, arrival_book=None if d.state == "arrived" else arrivals,
                          arrival_number=None if d.state == "arrived" else 2 * (w.made + k // 3) + k % 3)
         for k, d in enumerate(arriving)])
    for d in docs:
        exact = tokens_text(d.subject)
        SearchEntry.objects.create(document=d, exact=exact, folded=fold(exact), source_updated_at=now)
    handled = [d for d in docs if d.state == "in_progress"]
    instructions = Instruction.objects.bulk_create(
        [Instruction(document=d, author=w.leader, text="Xử lý") for d in handled])
    Assignment.objects.bulk_create([Assignment(document=ins.document, instruction=ins, assignee=w.specialist,
                                               kind="lead", assigned_by=w.leader, due_on=ins.document.due_on)
                                    for ins in instructions])
    Notification.objects.bulk_create([Notification(user=w.specialist, kind="assigned", text=f"Việc {d.pk}",
                                                   url=f"/van-ban-den/{d.pk}/") for d in handled])
    Dossier.objects.bulk_create(
        [Dossier(agency=w.agency, year=year, notation=f"{i:03d}.VP", title=f"Hồ sơ {i}", creator=w.specialist,
                 creator_name="Chuyên viên") for i in range(w.made, w.made + n)]
        + [Dossier(agency=w.agency, year=year - 5, notation=f"{i:03d}.LT", title=f"Hồ sơ cũ {i}", state="archived",
                   creator=w.specialist, creator_name="Chuyên viên", archived_at=now)
           for i in range(w.made, w.made + n)])
    w.made += n


def rows(html: str, xpath: str) -> int:
    return len(lxml.html.fromstring(html).xpath(xpath))


def table(testid: str) -> str:
    return f"//table[@data-testid='{testid}']/tbody/tr"


# (who, URL, the rows of the list, how many per page, how many there are per `fill` row)
LISTS = [
    ("clerk", "/van-ban-den/", table("incoming-all"), PAGE, 3),
    ("clerk", "/van-ban-den/?state=arrived", table("incoming-all"), PAGE, 1),
    ("clerk", "/van-ban-den/so/", table("incoming-book"), PAGE, 2),
    ("specialist", "/van-ban-den/", table("incoming-all"), PAGE, 1),
    ("clerk", "/van-ban-di/?ds=to_issue", table("drafts-list"), PAGE, 1),
    ("leader", "/van-ban-di/?ds=to_approve", table("drafts-list"), PAGE, 1),
    ("specialist", "/van-ban-di/?ds=mine", table("drafts-list"), PAGE, 3),
    ("clerk", "/van-ban-di/so/", table("outgoing-book"), PAGE, 1),
    ("specialist", "/cong-viec/", table("my-work"), PAGE, 1),
    ("leader", "/cong-viec/da-giao/", table("assigned-list"), PAGE, 1),
    ("specialist", "/cong-viec/thong-bao/", "//ul[@data-testid='notifications']/li", PAGE, 1),
    ("specialist", "/ho-so/", table("my-dossiers"), PAGE, 1),
    ("archivist", "/ho-so/kho/", table("archive"), PAGE, 1),
]


def _get(client: Client, url: str) -> tuple[str, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode(), len(queries)


def _few_then_many(w: World, client: Client, who: str, url: str) -> tuple[str, str]:
    """The page with 5 rows of each kind, then with 60: both pages; the same statements both times."""
    client.force_login(getattr(w, who))
    fill(w, 5)
    few, few_queries = _get(client, url)
    fill(w, 55)
    many, many_queries = _get(client, url)
    assert many_queries == few_queries, f"{url}: {few_queries} statements with 5 rows, {many_queries} with 60"
    return few, many


@pytest.mark.parametrize(("who", "url", "xpath", "size", "per_fill"), LISTS, ids=[f"{w}:{u}" for w, u, *_ in LISTS])
def test_a_list_shows_one_page_with_the_total_and_costs_the_same_statements_at_any_length(
        world: World, client: Client, who: str, url: str, xpath: str, size: int, per_fill: int) -> None:
    few, many = _few_then_many(world, client, who, url)
    assert rows(few, xpath) == 5 * per_fill
    assert rows(many, xpath) == size
    total = 60 * per_fill
    assert f"Tổng số: {total}" in many and f"Trang 1/{-(-total // size)}" in many
    assert "page=2" in many  # the next page is one click away


def test_the_second_page_shows_the_next_rows(world: World, client: Client) -> None:
    client.force_login(world.clerk)
    fill(world, 20)  # 60 incoming
    second, _ = _get(client, "/van-ban-den/?page=2")
    assert rows(second, table("incoming-all")) == 10
    assert "Trang 2/2" in second


HOME_BOXES = [("clerk", ["wait-accept", "wait-issue"]), ("leader", ["wait-approve", "wait-assign"]),
              ("specialist", ["wait-work"])]


@pytest.mark.parametrize(("who", "boxes"), HOME_BOXES)
def test_home_shows_counts_and_the_first_few_of_each_box_with_a_link_to_all(
        world: World, client: Client, who: str, boxes: list[str]) -> None:
    from vanban.workflow.queries import WAITING_SHOWN

    _, home = _few_then_many(world, client, who, "/")
    for box in boxes:
        assert rows(home, f"//section[@data-testid='{box}']/ul/li/a[not(@data-testid)]") == WAITING_SHOWN
        assert rows(home, f"//span[@data-testid='{box}-count'][text()='60']") == 1
        assert rows(home, f"//a[@data-testid='{box}-all']") == 1


def test_my_work_lists_the_first_accepted_arrivals_to_assign_and_links_to_all(world: World, client: Client) -> None:
    from vanban.workflow.views import TO_ASSIGN_SHOWN

    _, page = _few_then_many(world, client, "leader", "/cong-viec/")
    assert rows(page, "//ul[@data-testid='to-assign']/li") == TO_ASSIGN_SHOWN
    assert "Văn bản chờ phân công (60)" in page
    assert rows(page, "//p[@data-testid='to-assign-more']/a[contains(@href, 'state=accepted')]") == 1


def test_the_leader_dashboard_counts_in_the_database_and_lists_a_bounded_few(world: World, client: Client) -> None:
    from vanban.reports.dashboards import LIST_LIMIT

    _, page = _few_then_many(world, client, "leader", "/bao-cao/lanh-dao/")
    assert rows(page, table("overdue")) == LIST_LIMIT
    assert rows(page, "//div[@data-figure='overdue']/div[@class='n'][text()='60']") == 1
    assert rows(page, "//div[@data-figure='in_progress']/div[@class='n'][text()='120']") == 1


def test_search_counts_up_to_its_limit_then_says_more(world: World, client: Client,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    from vanban.search import views

    monkeypatch.setattr(views, "COUNT_LIMIT", 100)
    client.force_login(world.clerk)
    fill(world, 10)  # the clerk may open 5 of every 7 documents with "kế hoạch" (not others' drafts)
    page, few_queries = _get(client, "/tim-kiem/?q=kế+hoạch")
    assert "Tìm thấy 50 văn bản" in page
    fill(world, 50)  # 300
    page, many_queries = _get(client, "/tim-kiem/?q=kế+hoạch")
    assert "Tìm thấy hơn 100 văn bản" in page and "trang 1/5" in page
    assert rows(page, table("search-results")) == 20
    assert many_queries == few_queries


def test_a_long_list_is_counted_once_a_minute_not_on_every_request(world: World, client: Client,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """Past `COUNT_EXACT_UP_TO` the total comes from the cache: a second visit runs no COUNT(*)
    over the whole list (only the bounded one), and shows the same total."""
    from django.core.cache import cache

    from vanban.web import listing

    monkeypatch.setattr(listing, "COUNT_EXACT_UP_TO", 40)
    cache.clear()
    client.force_login(world.clerk)
    fill(world, 20)  # 60 incoming
    with CaptureQueriesContext(connection) as first:
        page = client.get("/van-ban-den/").content.decode()
    assert "Tổng số: 60" in page
    with CaptureQueriesContext(connection) as second:
        page = client.get("/van-ban-den/").content.decode()
    assert "Tổng số: 60" in page
    def whole_counts(queries: CaptureQueriesContext) -> list[str]:
        """COUNT(*) over the whole list: the agency's incoming documents, no state, no LIMIT."""
        return [q["sql"] for q in queries.captured_queries
                if q["sql"].startswith('SELECT COUNT(*) AS "__count" FROM "documents_document"')
                and "state" not in q["sql"] and "LIMIT" not in q["sql"]]

    assert len(whole_counts(first)) == 1
    assert whole_counts(second) == []
