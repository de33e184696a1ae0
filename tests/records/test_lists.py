"""Issue 21: the dossier lists on web.listing — one's own dossiers and the archive sorted by any
column, paged with the total, the archive's search kept in the sort links and the export, and
the same selection as xlsx; another person's dossiers are not in one's list."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.test import Client
from django.utils import timezone

from tests.factories import make_agency, make_user
from vanban.records.models import Dossier

pytestmark = pytest.mark.django_db


def test_my_dossiers_and_the_archive(client: Client) -> None:
    agency = make_agency("000.00.02.H16", "Sở Nội vụ")
    me = make_user(agency, "specialist", username="chuyenvien.snv", full_name="Đặng Thị Thu")
    other = make_user(agency, "specialist", username="chuyenvien.khac", full_name="Người Khác")
    archivist = make_user(agency, "archivist", username="luutru.snv", full_name="Bùi Văn Nam")
    year = timezone.localdate().year
    for n, title in enumerate(("Hồ sơ thi tuyển", "Hồ sơ biên chế", "Hồ sơ khen thưởng"), start=1):
        Dossier.objects.create(agency=agency, year=year, notation=f"0{n}.CCVC", title=title, creator=me,
                               creator_name=me.full_name)
    Dossier.objects.create(agency=agency, year=year, notation="09.TH", title="Hồ sơ của người khác", creator=other,
                           creator_name=other.full_name)
    for n in range(1, 4):
        Dossier.objects.create(agency=agency, year=year - n, notation=f"0{n}.LT", title=f"Hồ sơ lưu trữ {year - n}",
                               creator_name="x", state=Dossier.State.ARCHIVED, archived_at=timezone.now())

    client.force_login(me)
    html = client.get("/ho-so/", {"sort": "title"}).content.decode()
    table = html.split('data-testid="my-dossiers"')[1]
    titles = ["Hồ sơ biên chế", "Hồ sơ khen thưởng", "Hồ sơ thi tuyển"]
    assert sorted(titles, key=table.index) == titles and "Hồ sơ của người khác" not in table
    assert "Tổng số: 3" in html and f"{agency.code}.{year}.02.CCVC" in table
    book = openpyxl.load_workbook(io.BytesIO(client.get("/ho-so/xlsx/", {"sort": "-title"}).content))
    assert [r[2] for r in book.active.iter_rows(min_row=4, values_only=True)] == titles[::-1]
    assert client.get("/ho-so/kho/").status_code == 403

    client.force_login(archivist)
    html = client.get("/ho-so/kho/", {"q": "lưu trữ", "sort": "year"}).content.decode()
    table = html.split('data-testid="archive"')[1]
    years = [f"Hồ sơ lưu trữ {year - n}" for n in (3, 2, 1)]
    assert sorted(years, key=table.index) == years and "Tổng số: 3" in html
    assert "q=l%C6%B0u+tr%E1%BB%AF&amp;sort=-year" in html  # the search kept in the sort link
    book = openpyxl.load_workbook(io.BytesIO(client.get("/ho-so/kho/xlsx/", {"q": "2"}).content))
    assert len(list(book.active.iter_rows(min_row=4, values_only=True))) == 3
