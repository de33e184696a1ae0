"""Issue 21: one dossier-catalog entry added, changed or taken out without a CSV — by the
archivist only, with the import's own rules (every fault beside its field, nothing written),
placed under its section, audited; an entry a dossier was opened from stays as it is."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from tests.factories import make_user
from tests.records.conftest import CATALOG_CSV
from vanban.audit.models import AuditEvent
from vanban.records import services
from vanban.records.importer import read_catalog
from vanban.records.models import CatalogEntry, DossierCatalog

pytestmark = pytest.mark.django_db
NEW = "/ho-so/danh-muc/them/?year=2026"
GOOD = {"heading": "I. TỔNG HỢP", "notation": "03.TH", "title": "Hồ sơ hội nghị cán bộ, công chức năm 2026",
        "retention": "10 năm", "responsible": "Văn phòng", "username": "vanthu.vp", "year": "2026"}


@dataclass
class Desk:
    office: Any
    archivist: Any
    clerk: Any
    catalog: DossierCatalog


@pytest.fixture
def desk(office: Any) -> Desk:
    archivist = make_user(office, "archivist", username="luutru.vp")
    clerk = make_user(office, "clerk", username="vanthu.vp")
    catalog = services.import_catalog(actor=archivist, agency=office, year=2026,
                                      parsed=read_catalog("danhmuc.csv", CATALOG_CSV.encode()),
                                      source="danhmuc.csv").catalog
    return Desk(office, archivist, clerk, catalog)


def _notations(catalog: DossierCatalog) -> list[str]:
    return list(CatalogEntry.objects.filter(catalog=catalog).values_list("notation", flat=True))


def _events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("id"))


def test_the_archivist_adds_one_entry_under_its_section(client: Client, desk: Desk) -> None:
    client.force_login(desk.archivist)
    catalog_page = client.get("/ho-so/danh-muc/", {"year": 2026}).content.decode()
    assert 'href="/ho-so/danh-muc/them/?year=2026"' in catalog_page
    form = client.get(NEW).content.decode()
    assert "Thêm một mục vào danh mục hồ sơ năm 2026" in form
    assert '<option value="I. TỔNG HỢP">' in form and '<option value="II. TỔ CHỨC CÁN BỘ">' in form
    answer = client.post(NEW, GOOD, follow=True)
    page = answer.content.decode()
    assert answer.redirect_chain[-1][0] == "/ho-so/danh-muc/?year=2026"
    assert "Đã thêm mục 03.TH — Hồ sơ hội nghị cán bộ, công chức năm 2026" in page
    entry = CatalogEntry.objects.get(catalog=desk.catalog, notation="03.TH")
    assert (entry.heading, entry.subheading, entry.title, entry.retention_years, entry.responsible,
            entry.responsible_user) == ("I. TỔNG HỢP", "", GOOD["title"], 10, "Văn phòng", desk.clerk)
    assert _notations(desk.catalog) == ["01.TH", "02.TH", "03.TH", "01.TCCB"]  # after the last of its section
    assert page.index("03.TH") < page.index("01.TCCB")
    [event] = _events("records.catalog_entry_added")
    assert (event.actor_id, event.agency_code, event.object_id) == (desk.archivist.pk, desk.office.code,
                                                                    str(desk.catalog.pk))
    assert event.details["before"] is None and event.details["after"]["notation"] == "03.TH"
    assert event.details["after"]["username"] == "vanthu.vp"


def test_a_first_entry_makes_the_years_catalog(client: Client, desk: Desk) -> None:
    client.force_login(desk.archivist)
    assert "Thêm một mục" in client.get("/ho-so/danh-muc/", {"year": 2027}).content.decode()
    client.post("/ho-so/danh-muc/them/", {**GOOD, "year": "2027", "retention": "Vĩnh viễn"})
    catalog = DossierCatalog.objects.get(agency=desk.office, year=2027)
    entry = catalog.entries.get()
    assert (entry.notation, entry.retention_years) == ("03.TH", None)


@pytest.mark.parametrize(("posted", "faults"), [
    ({"notation": "03 TH!", "title": "", "retention": "mãi mãi", "heading": ""},
     {"notation": "Số và ký hiệu hồ sơ '03 TH!' không hợp lệ", "title": "Thiếu tiêu đề hồ sơ",
      "retention": "Thời hạn bảo quản 'mãi mãi' không hợp lệ", "heading": "Chưa có đề mục cho hồ sơ này"}),
    ({"notation": "01.th"}, {"notation": "Số và ký hiệu hồ sơ 01.th đã có trong danh mục năm 2026"}),
    ({"username": "nguoi.la"}, {"username": "Người dùng 'nguoi.la' không thuộc cơ quan 000.00.01.H16"}),
    ({"responsible": "x" * 201}, {"responsible": "Người lập hồ sơ dài quá 200 ký tự"}),
])
def test_bad_input_is_said_beside_its_field_and_writes_nothing(client: Client, desk: Desk, other_office: Any,
                                                               posted: dict[str, str], faults: dict[str, str]) -> None:
    make_user(other_office, "clerk", username="nguoi.la")  # a login of another agency
    client.force_login(desk.archivist)
    before = (_notations(desk.catalog), AuditEvent.objects.count())
    answer = client.post(NEW, {**GOOD, **posted})
    page = html.unescape(answer.content.decode())
    assert answer.status_code == 400 and "Chưa lưu: hãy sửa các ô có ghi lỗi." in page
    for field, fault in faults.items():
        assert fault in page.split(f'data-testid="error-{field}"')[1].split("</ul>")[0], field
    assert page.count('class="errorlist"') == len(faults)
    if posted.get("title", "x"):  # what was typed comes back
        assert f'value="{posted.get("notation", GOOD["notation"])}"' in page
    assert (_notations(desk.catalog), AuditEvent.objects.count()) == before


def test_the_form_and_the_import_judge_an_entry_alike(client: Client, desk: Desk) -> None:
    row = "I. TỔNG HỢP,03 TH!,Hồ sơ hội nghị,mãi mãi,Văn phòng"
    parsed = read_catalog("x.csv", (CATALOG_CSV.splitlines()[0] + "\n" + row + "\n").encode())
    [error] = parsed.errors
    client.force_login(desk.archivist)
    page = html.unescape(client.post(NEW, {**GOOD, "notation": "03 TH!", "title": "Hồ sơ hội nghị",
                                           "retention": "mãi mãi"}).content.decode())
    said = [li.rstrip(".") for li in re.findall(r'data-testid="error-\w+"><li>(.*?)</li>', page)]
    assert len(said) == 2 and "; ".join(s[:1].lower() + s[1:] for s in said) == error.reason


def test_an_unused_entry_is_changed_or_taken_out(client: Client, desk: Desk) -> None:
    entry = desk.catalog.entries.get(notation="02.TH")
    client.force_login(desk.archivist)
    form = client.get(f"/ho-so/danh-muc/{entry.pk}/sua/").content.decode()
    assert 'value="02.TH"' in form and 'value="10 năm"' in form and "Báo cáo công tác năm" in form
    client.post(f"/ho-so/danh-muc/{entry.pk}/sua/", {**GOOD, "notation": "02.TH", "title": "Báo cáo công tác năm 2026",
                                                     "retention": "20 năm", "username": ""})
    entry.refresh_from_db()
    assert (entry.title, entry.retention_years, entry.responsible) == ("Báo cáo công tác năm 2026", 20, "Văn phòng")
    [changed] = _events("records.catalog_entry_changed")
    assert changed.details["before"]["title"] == "Báo cáo công tác năm"
    assert changed.details["after"]["retention_years"] == 20

    page = client.post(f"/ho-so/danh-muc/{entry.pk}/bo/", follow=True).content.decode()
    assert "Đã bỏ mục 02.TH — Báo cáo công tác năm 2026 khỏi danh mục hồ sơ năm 2026." in page
    assert _notations(desk.catalog) == ["01.TH", "01.TCCB"]
    [removed] = _events("records.catalog_entry_removed")
    assert removed.details["before"]["notation"] == "02.TH" and removed.agency_code == desk.office.code


def test_an_entry_a_dossier_was_opened_from_stays_as_it_is(client: Client, desk: Desk) -> None:
    entry = desk.catalog.entries.get(notation="01.TH")
    services.open_dossier(actor=desk.archivist, entry=entry)
    client.force_login(desk.archivist)
    catalog_page = client.get("/ho-so/danh-muc/", {"year": 2026}).content.decode()
    assert 'data-testid="entry-edit-01.TH"' not in catalog_page and 'data-testid="entry-edit-02.TH"' in catalog_page
    before = AuditEvent.objects.count()
    refused = "Không thể sửa mục 01.TH: đã có hồ sơ lập theo mục này."
    assert refused in client.get(f"/ho-so/danh-muc/{entry.pk}/sua/", follow=True).content.decode()
    assert refused in client.post(f"/ho-so/danh-muc/{entry.pk}/sua/", {**GOOD, "notation": "01.TH"},
                                  follow=True).content.decode()
    assert "Không thể bỏ mục 01.TH" in client.post(f"/ho-so/danh-muc/{entry.pk}/bo/", follow=True).content.decode()
    entry.refresh_from_db()
    assert entry.title == "Hồ sơ về việc thử nghiệm hệ thống quản lý văn bản"
    assert AuditEvent.objects.count() == before


@pytest.mark.parametrize("role", ["clerk", "specialist", "leader", "admin"])
def test_only_the_archivist_keeps_the_catalog(client: Client, desk: Desk, role: str) -> None:
    entry = desk.catalog.entries.get(notation="02.TH")
    client.force_login(make_user(desk.office, role))
    before = (_notations(desk.catalog), AuditEvent.objects.count())
    assert client.get(NEW).status_code == 403
    assert client.post(NEW, GOOD).status_code == 403
    assert client.get(f"/ho-so/danh-muc/{entry.pk}/sua/").status_code == 403
    assert client.post(f"/ho-so/danh-muc/{entry.pk}/sua/", GOOD).status_code == 403
    assert client.post(f"/ho-so/danh-muc/{entry.pk}/bo/").status_code == 403
    assert "Thêm một mục" not in client.get("/ho-so/danh-muc/", {"year": 2026}).content.decode()
    assert (_notations(desk.catalog), AuditEvent.objects.count()) == before
    with pytest.raises(services.RecordsForbiddenError):
        services.save_catalog_entry(actor=make_user(desk.office, role), agency=desk.office, year=2026, values=GOOD)


def test_another_agencys_archivist_finds_no_entry(client: Client, desk: Desk, other_office: Any) -> None:
    entry = desk.catalog.entries.get(notation="02.TH")
    client.force_login(make_user(other_office, "archivist"))
    assert client.get(f"/ho-so/danh-muc/{entry.pk}/sua/").status_code == 404
    assert client.post(f"/ho-so/danh-muc/{entry.pk}/bo/").status_code == 404
    assert _notations(desk.catalog) == ["01.TH", "02.TH", "01.TCCB"]
