"""TT 05/2025 descriptive metadata: EAD.xml and EAD_doc files of SIP, AIP and DIP, each valid
against the schema generated from the same element list, with the circular's code lists and
DD/MM/YYYY dates; the digitised dossier's extra mandatory fields."""

from __future__ import annotations

from datetime import date

import pytest
from lxml import etree

from tests.records.conftest import Archive, closed_dossier
from vanban.records import services, tt05
from vanban.records.codes import document_type_code, language_code
from vanban.records.metadata import check_complete

pytestmark = pytest.mark.django_db


def _valid(xml: bytes, xsd: bytes) -> etree._Element:
    schema = etree.XMLSchema(etree.fromstring(xsd))
    doc = etree.fromstring(xml)
    assert schema.validate(doc), schema.error_log
    return doc


def test_code_lists() -> None:
    assert [language_code(x) for x in ("Tiếng Việt", "tieng viet", "02", "Tiếng Lào")] == ["01", "01", "02", "11"]
    assert [document_type_code(x) for x in ("Quyết định (cá biệt)", "Công văn", "Giấy mời", "Thông tư liên tịch",
                                             "Tài liệu làm việc")] == ["02", "22", "26", "32", "32"]


@pytest.mark.parametrize("kind", tt05.KINDS)
def test_every_package_kind_writes_valid_files(archive: Archive, pdf_bytes: bytes, kind: str) -> None:
    dossier = closed_dossier(archive, pdf_bytes)
    services.add_working_file(actor=archive.archivist, dossier=dossier, reason="Bổ sung", upload=services.WorkingFile(
        "ghi-chu.txt", "Ghi chép".encode(), "Ghi chép cuộc họp", issued_date=date(2026, 3, 9),
        organ_name=archive.agency.name))
    items = list(dossier.items.order_by("ordinal"))
    ead = _valid(tt05.dossier_ead(dossier, items, kind), tt05.dossier_schema(kind))
    code = "fileCode" if kind == "SIP" else "arcFileCode"
    assert ead.findtext(code) == dossier.file_code
    assert (ead.findtext("maintenance"), ead.findtext("language"), ead.findtext("totalDoc")) == ("01", "01", "2")
    first, second = (_valid(tt05.document_ead(dossier, i, kind), tt05.document_schema(kind)) for i in items)
    assert first.findtext("typeName") == "02" and first.findtext("subject") == "Văn bản thử số 1"
    assert first.findtext("issuedDate").count("/") == 2 and len(first.findtext("issuedDate")) == 10
    assert first.findtext("process") == "1" and second.findtext("process") == "0"  # a document vs a working file
    assert second.findtext("issuedDate") == "09/03/2026" and second.findtext("typeName") == "32"
    if kind == "AIP":
        assert first.findtext("docOrdinal") == "1" and first.find("docId") is None
    else:
        assert first.findtext("docId") == items[0].metadata["docId"]
    assert (first.find("organName") is None) == (kind == "DIP")
    assert tt05.document_ead_name(items[1]) == "EAD_doc_0000002.xml"


def test_an_incomplete_dossier_fails_its_schema_and_the_check_names_it(archive: Archive, pdf_bytes: bytes) -> None:
    dossier = closed_dossier(archive, pdf_bytes)
    dossier = services.update_dossier(actor=archive.archivist, dossier=dossier, reason="Số hóa",
                                      values={"reliability": "02"})
    missing = [str(m) for m in check_complete(dossier, list(dossier.items.all()))]
    assert missing == ["hồ sơ (số hóa): thiếu “Mã hồ sơ gốc giấy” (PaperFileCode)",
                       "hồ sơ (số hóa): thiếu “Số lượng tờ” (SheetTotal)"]
    dossier.title = ""
    schema = etree.XMLSchema(etree.fromstring(tt05.dossier_schema("SIP")))
    ead = etree.fromstring(tt05.dossier_ead(dossier, list(dossier.items.all()), "SIP"))
    ead.find("startDate").text = "2026-03-09"  # ISO instead of DD/MM/YYYY
    assert not schema.validate(ead)
    assert "startDate" in str(schema.error_log)


def test_a_dublin_core_record_beside_it(archive: Archive, pdf_bytes: bytes) -> None:
    from vanban.records.dublincore import DC, dc_record

    dossier = closed_dossier(archive, pdf_bytes, documents=2)
    dossier = services.update_dossier(actor=archive.archivist, dossier=dossier, reason="Từ khóa",
                                      values={"keywords": "văn thư, lưu trữ", "start_date": "2026-01-05",
                                              "end_date": "2026-03-09"})
    root = etree.fromstring(dc_record(dossier, list(dossier.items.order_by("ordinal"))))
    values = {tag: [e.text for e in root.iter(f"{{{DC}}}{tag}")] for tag in
              ("title", "identifier", "subject", "description", "date", "language", "rights", "creator")}
    assert values["title"] == [dossier.title] and values["identifier"] == [dossier.file_code]
    assert values["subject"] == ["văn thư", "lưu trữ"]
    assert values["description"] == ["Văn bản thử số 1", "Văn bản thử số 2"]
    assert values["date"] == ["2026-01-05/2026-03-09"] and values["language"] == ["vi"]
    assert values["rights"] == ["Công khai"] and values["creator"] == [archive.agency.name]
