"""The fonds (phông lưu trữ): a default from the agency, dates and totals counted from the
archive, the archivist's description, missing fields named, refusals writing nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from tests.records.conftest import Archive, closed_dossier
from vanban.agencies.models import Agency
from vanban.audit.models import AuditEvent
from vanban.records import fonds as fonds_service
from vanban.records import services
from vanban.records.errors import RecordsError
from vanban.records.models import Dossier, Fonds

pytestmark = pytest.mark.django_db


def test_default_figures_and_missing_fields(archive: Archive, pdf_bytes: bytes) -> None:
    f = fonds_service.fonds_of(archive.agency)
    assert (f.pk, f.code, f.name) == (None, archive.agency.code, archive.agency.name)
    assert fonds_service.missing_fields(f) == ["Lịch sử đơn vị hình thành phông",
                                               "Phương án phân loại hoặc các nhóm tài liệu chủ yếu"]
    assert fonds_service.figures(archive.agency).dossiers == 0
    dossier = closed_dossier(archive, pdf_bytes, documents=2)
    services.update_dossier(actor=archive.archivist, dossier=dossier, reason="Bổ sung thời gian",
                            values={"start_date": "2019-03-01", "end_date": "2026-02-01"})
    transfer = services.submit_transfer(actor=archive.staff, dossiers=[dossier])
    services.accept_transfer(actor=archive.archivist, transfer=transfer)
    figures = fonds_service.figures(archive.agency)
    assert (figures.dossiers, figures.documents, figures.span) == (1, 2, "2019–2026")
    # an archived dossier of an earlier year with no dates still widens the span
    Dossier.objects.create(agency=archive.agency, year=2012, notation="99.TH", title="Hồ sơ cũ chưa ghi ngày",
                           state=Dossier.State.ARCHIVED)
    assert fonds_service.figures(archive.agency).span == "2012–2026"


def test_the_archivist_describes_it_and_others_cannot(archive: Archive, client: Client) -> None:
    url = reverse("records:fonds")
    client.force_login(archive.staff)
    assert client.get(url).status_code == 403
    client.force_login(archive.office.leader)
    page = client.get(url).content.decode()
    assert "Phông còn thiếu: Lịch sử đơn vị hình thành phông" in page and "<form" not in page.split("</h1>")[1]
    assert client.post(url, {"code": "X", "name": "Y"}).status_code == 403
    assert not Fonds.objects.exists()
    client.force_login(archive.archivist)
    r = client.post(url, {"code": archive.agency.code, "name": "Phông Văn phòng UBND tỉnh Đắk Lắk", "state": "open",
                          "history": "Thành lập năm 1976; từ 01/7/2025 hợp nhất với Văn phòng UBND tỉnh Phú Yên.",
                          "classification": "Theo cơ cấu tổ chức - thời gian", "language": "Tiếng Việt",
                          "risk_recovery": "1"})
    assert r.status_code == 302
    f = Fonds.objects.get()
    assert f.risk_recovery and f.history.startswith("Thành lập năm 1976") and f.updated_by == archive.archivist
    assert fonds_service.missing_fields(f) == []
    event = AuditEvent.objects.get(action="records.fonds_changed")
    assert "history" in event.details["changed"]
    assert "Phông còn thiếu" not in client.get(url).content.decode()


def test_bad_values_change_nothing(archive: Archive) -> None:
    fonds_service.update_fonds(actor=archive.archivist, agency=archive.agency, values={"history": "Lịch sử"})
    for values, code in [({"state": "half"}, "RECORDS_FONDS_STATE"), ({"name": "  "}, "RECORDS_FONDS_REQUIRED"),
                         ({"code": "x" * 41}, "RECORDS_FONDS_TOO_LONG")]:
        with pytest.raises(RecordsError) as info:
            fonds_service.update_fonds(actor=archive.archivist, agency=archive.agency,
                                       values={"history": "Đổi", **values})
        assert info.value.code == code
    assert Fonds.objects.get().history == "Lịch sử"
    assert AuditEvent.objects.filter(action="records.fonds_changed").count() == 1
    with pytest.raises(RecordsError):
        fonds_service.update_fonds(actor=archive.office.leader, agency=archive.agency, values={"history": "x"})


def test_packages_carry_the_fonds(archive: Archive, pdf_bytes: bytes, tmp_path: Path) -> None:
    from lxml import etree

    from tests.records.test_eark import archived
    from vanban.records.eark_docs import hoso_schema
    from vanban.records.earkcommon import HOSO_NS
    from vanban.records.earkexport import export_dossier

    fonds_service.update_fonds(actor=archive.archivist, agency=archive.agency,
                               values={"history": "Thành lập năm 1976.", "classification": "Cơ cấu tổ chức"})
    folder = export_dossier(archived(archive, pdf_bytes), tmp_path)
    hoso = etree.parse(str(folder / "metadata/descriptive/hoso.xml"))
    assert etree.XMLSchema(etree.fromstring(hoso_schema())).validate(hoso)
    h = f"{{{HOSO_NS}}}"
    phong = hoso.getroot().find(f"{h}Phong")
    assert phong.findtext(f"{h}FondsHistory") == "Thành lập năm 1976."
    assert (phong.findtext(f"{h}FileTotal"), phong.findtext(f"{h}DocTotal")) == ("1", "2")
    assert phong.findtext(f"{h}FondsCode") == archive.agency.code


def test_two_first_saves_at_once_give_a_clear_refusal(archive: Archive, monkeypatch: pytest.MonkeyPatch) -> None:
    """The other archivist's first save lands between our read and our write (where rows cannot
    be locked): ours is refused with a message and writes nothing. (The competing row is made in
    this test's own transaction, so the rollback takes it too.)"""
    real = fonds_service.fonds_of

    def raced(agency: Agency) -> Fonds:
        default = real(agency)
        Fonds.objects.create(agency=agency, code=agency.code, name="Phông do người khác lưu")
        return default

    monkeypatch.setattr(fonds_service, "fonds_of", raced)
    with pytest.raises(RecordsError) as info:
        fonds_service.update_fonds(actor=archive.archivist, agency=archive.agency, values={"history": "Của tôi"})
    assert (info.value.code, info.value.status) == ("RECORDS_FONDS_CONCURRENT", 409)
    assert not AuditEvent.objects.filter(action="records.fonds_changed").exists()
