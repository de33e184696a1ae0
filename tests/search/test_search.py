"""Search on the database the suite runs on (SQLite, then PostgreSQL in `make test`)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests.search.builders import make_document
from tests.search.conftest import Two
from vanban.search.indexing import index_stale, reindex_all
from vanban.search.queries import Filters, search, today_vn

pytestmark = pytest.mark.django_db


def ids(page) -> list[int]:
    return [h.document.pk for h in page.hits]


@pytest.fixture
def corpus(two: Two) -> dict[str, object]:
    docs = {
        "qd": make_document(two.a, type_code="quyet-dinh", subject="Quyết định điều chỉnh kế hoạch năm 2026",
                            signer_name="Trần Văn Hùng"),
        "plain": make_document(two.a, subject="Quyet dinh go khong dau ve dieu chinh", issued_on=date(2025, 5, 1)),
        "apart": make_document(two.a, type_code="ke-hoach", subject="Kế hoạch tuyển dụng công chức năm học"),
        "da": make_document(two.a, subject="Khai thác đá tại huyện Ea Kar"),
        "b": make_document(two.b, type_code="quyet-dinh", subject="Quyết định của Sở Nội vụ"),
    }
    reindex_all()
    return docs


def test_without_marks_finds_with_marks(two: Two, corpus: dict) -> None:
    found = ids(search(two.clerk, "quyet dinh"))
    assert corpus["qd"].pk in found and corpus["plain"].pk in found
    assert ids(search(two.clerk, "dieu chinh ke hoach")) == [corpus["qd"].pk]
    assert corpus["da"].pk in ids(search(two.clerk, "da"))  # đ folds to d


def test_with_marks_matches_those_marks(two: Two, corpus: dict) -> None:
    assert ids(search(two.clerk, "Quyết định")) == [corpus["qd"].pk]
    assert ids(search(two.clerk, "đá")) == [corpus["da"].pk]
    assert ids(search(two.clerk, "ĐIỀU CHỈNH")) == [corpus["qd"].pk]  # case does not matter


def test_phrases(two: Two, corpus: dict) -> None:
    assert ids(search(two.clerk, '"kế hoạch năm"')) == [corpus["qd"].pk]
    assert set(ids(search(two.clerk, "kế hoạch năm"))) == {corpus["qd"].pk, corpus["apart"].pk}
    assert ids(search(two.clerk, '"ke hoach nam"')) == [corpus["qd"].pk]


def test_metadata_fields(two: Two, corpus: dict) -> None:
    qd = corpus["qd"]
    assert ids(search(two.clerk, qd.notation)) == [qd.pk]
    assert ids(search(two.clerk, qd.identifier_code)) == [qd.pk]
    assert ids(search(two.clerk, qd.identifier_code.split("-")[-1].replace("2026.", "-2026."))) == [qd.pk]
    assert ids(search(two.clerk, "tran van hung")) == [qd.pk]
    assert qd.pk in ids(search(two.clerk, "01/03/2026"))


def test_other_agency_documents_never_appear(two: Two, corpus: dict) -> None:
    assert corpus["b"].pk not in ids(search(two.clerk, "quyet dinh"))
    assert ids(search(two.clerk_b, "quyet dinh")) == [corpus["b"].pk]
    assert search(two.outsider, "quyet dinh").total == 0


def test_filters(two: Two, corpus: dict) -> None:
    assert ids(search(two.clerk, "quyet dinh", Filters(year=2025))) == [corpus["plain"].pk]
    assert ids(search(two.clerk, "", Filters(document_type="ke-hoach"))) == [corpus["apart"].pk]
    assert search(two.clerk, "", Filters(direction="incoming")).total == 0
    assert ids(search(two.clerk, "", Filters(agency="000.00.02.H16"))) == []
    late = make_document(two.a, direction="incoming", state="in_progress", subject="Đôn đốc báo cáo",
                         due_on=today_vn() - timedelta(days=1))
    make_document(two.a, direction="incoming", state="completed", subject="Đã xong", due_on=date(2020, 1, 1))
    make_document(two.a, direction="incoming", state="accepted", subject="Còn hạn",
                  due_on=today_vn() + timedelta(days=3))
    reindex_all()
    assert ids(search(two.clerk, "", Filters(overdue=True))) == [late.pk]
    assert ids(search(two.clerk, "bao cao", Filters(state="in_progress"))) == [late.pk]


def test_sort_and_pages(two: Two) -> None:
    docs = [make_document(two.a, subject=f"Báo cáo tuần {i}", issued_on=date(2026, 1, 1) + timedelta(days=i))
            for i in range(25)]
    strong = make_document(two.a, subject="Báo cáo báo cáo báo cáo tổng hợp báo cáo", issued_on=date(2020, 1, 1))
    reindex_all()
    first = search(two.clerk, "bao cao", sort="date", page=1, page_size=10)
    assert first.total == 26 and first.pages == 3 and first.has_next and not first.has_previous
    assert ids(first) == [d.pk for d in reversed(docs)][:10]
    last = search(two.clerk, "bao cao", sort="date", page=3, page_size=10)
    assert ids(last)[-1] == strong.pk and len(last.hits) == 6
    ranked = search(two.clerk, "bao cao", page_size=10)
    assert ids(ranked)[0] == strong.pk
    every = [i for p in (1, 2, 3) for i in ids(search(two.clerk, "bao cao", page=p, page_size=10))]
    assert sorted(every) == sorted([d.pk for d in docs] + [strong.pk])


def test_sweep_indexes_new_and_changed_documents(two: Two) -> None:
    doc = make_document(two.a, subject="Thông báo lịch họp")
    assert search(two.clerk, "lich hop").total == 0
    assert index_stale() == 1
    assert ids(search(two.clerk, "lich hop")) == [doc.pk]
    doc.subject = "Thông báo lịch tiếp công dân"
    doc.save()
    assert index_stale() == 1
    assert search(two.clerk, "lich hop").total == 0
    assert ids(search(two.clerk, "tiep cong dan")) == [doc.pk]
    assert index_stale() == 0


def test_hostile_queries_are_harmless(two: Two, corpus: dict) -> None:
    for text in ['"', "*", "NEAR(a b)", "a OR", "'; DROP TABLE x; --", "%", "_", "\\", "x" * 5000]:
        page = search(two.clerk, text)
        assert page.total >= 0


def test_search_statements_are_never_kept_prepared(two: Two, corpus: dict) -> None:
    """A real search, over and over with different words, through the page's own function: no
    statement on the search table is prepared on PostgreSQL (`vanban.dbbackend.UNPREPARED`), since
    one generic plan would not suit a rare word and a common one alike. (Without the mark this
    fails: psycopg prepares a statement after `prepare_threshold` runs.)"""
    from django.db import connection

    options = connection.settings_dict["OPTIONS"]
    if connection.vendor != "postgresql" or not options.get("server_side_binding"):
        pytest.skip("PostgreSQL with prepared statements (VANBAN_DB_PREPARE_THRESHOLD not off)")
    for _ in range(options["prepare_threshold"] + 2):
        for words in ("quyết định", "kế hoạch", "đá"):
            assert ids(search(two.clerk, words, count_limit=50))  # ranked, counted: every statement
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [row[0] for row in cursor.fetchall()]
    # the snippets' read of entries by id is prepared, as it should be: its plan does not depend
    # on the words; none that matches words is
    assert any("search_searchentry" in sql for sql in prepared)
    assert [sql for sql in prepared if "to_tsquery" in sql] == []
