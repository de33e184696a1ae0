"""An agency with real signatures, an archivist, a catalog and helpers to issue documents.

Each test gets its own data directory, so the blob store holds only its own files (fixity
counts and flipped bytes stay local to the test).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.factories import make_user
from tests.office_fixtures import *  # noqa: F403 — the signing office and its fixtures
from tests.office_fixtures import Office
from vanban.documents.models import Document
from vanban.outgoing import services as doc_services
from vanban.records import services
from vanban.records.importer import read_catalog
from vanban.records.models import CatalogEntry, Dossier

CATALOG_CSV = """Đề mục,Số và ký hiệu hồ sơ,Tiêu đề hồ sơ,Thời hạn bảo quản,Người lập hồ sơ
I. TỔNG HỢP,,,,
,01.TH,Hồ sơ về việc thử nghiệm hệ thống quản lý văn bản,Vĩnh viễn,Nguyễn Văn An
,02.TH,Báo cáo công tác năm,10 năm,Trần Thị Bình
II. TỔ CHỨC CÁN BỘ,,,,
,01.TCCB,Hồ sơ tuyển dụng công chức,70 năm,Lê Văn Cường
"""


@pytest.fixture(autouse=True)
def _own_data_dir(settings: Any, tmp_path: Path) -> None:
    settings.DATA_DIR = tmp_path / "data"
    settings.DATA_DIR.mkdir()


@dataclass
class Archive:
    office: Office
    archivist: Any
    staff: Any  # the specialist, who opens dossiers
    entries: dict[str, CatalogEntry]

    @property
    def agency(self) -> Any:
        return self.office.agency


@pytest.fixture
def archive(signing_office: Office) -> Archive:
    archivist = make_user(signing_office.agency, "archivist", username="luutru", full_name="Phạm Thị Lưu")
    parsed = read_catalog("danhmuc.csv", CATALOG_CSV.encode())
    result = services.import_catalog(actor=archivist, agency=signing_office.agency, year=2026, parsed=parsed,
                                     source="danhmuc.csv")
    entries = {e.notation: e for e in result.catalog.entries.all()}
    return Archive(signing_office, archivist, signing_office.specialist, entries)


def issue(office: Office, pdf: bytes, subject: str = "Về việc thử nghiệm hệ thống") -> Document:
    fields = doc_services.DraftFields(document_type="quyet-dinh", subject=subject, place="Đắk Lắk")
    doc = doc_services.create_draft(
        actor=office.specialist, agency=office.agency, fields=fields,
        files=[doc_services.FileInput("quyet-dinh.pdf", pdf)],
        recipients=[doc_services.RecipientInput(kind="agency", agency_code="000.00.02.H16")])
    doc_services.submit_draft(actor=office.specialist, document=doc, approver=office.leader)
    doc_services.approve_and_sign(actor=office.leader, document=doc)
    return doc_services.issue_document(actor=office.clerk, document=doc)


def closed_dossier(archive: Archive, pdf: bytes, documents: int = 1) -> Dossier:
    dossier = services.open_dossier(actor=archive.staff, entry=archive.entries["01.TH"])
    for n in range(documents):
        services.file_document(actor=archive.staff, dossier=dossier,
                               document=issue(archive.office, pdf, f"Văn bản thử số {n + 1}"))
    return services.close_dossier(actor=archive.staff, dossier=dossier)
