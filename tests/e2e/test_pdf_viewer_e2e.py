"""The in-page PDF viewer (pdf.js served by vanban): a leader opens an issued document, presses
"Xem" beside its PDF and reads page 1 in the page, beside the signature panel, under the strict
Content-Security-Policy (no inline script, no eval, worker from our own origin)."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from tests.documents.test_public_verify import issued
from tests.factories import PASSWORD
from tests.office_fixtures import Office

INK = """() => {
  const canvas = document.querySelector('[data-testid=pdf-canvas]');
  const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  let ink = 0;
  for (let i = 0; i < pixels.length; i += 4) if (pixels[i] < 128 && pixels[i + 3] > 0) ink++;
  return {ink, width: canvas.width, height: canvas.height};
}"""


def test_leader_reads_the_pdf_in_the_page(page: Any, live_server: Any, signing_office: Office,
                                          pdf_bytes: bytes) -> None:
    doc = issued(signing_office, pdf_bytes)
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.goto(f"{live_server.url}/dang-nhap/")
    page.get_by_label("Tên đăng nhập").fill(signing_office.leader.username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.goto(f"{live_server.url}/van-ban-di/{doc.pk}/")
    viewer = page.get_by_test_id("pdf-viewer")
    expect(viewer).to_be_hidden()
    page.get_by_test_id("pdf-view").first.click()
    expect(viewer).to_be_visible()
    expect(viewer).to_have_attribute("data-rendered", "1")
    expect(viewer.locator("[data-pdf-status]")).to_contain_text("Trang 1/")
    drawn = page.evaluate(INK)
    assert drawn["width"] > 300 and drawn["height"] > 300 and drawn["ink"] > 500, drawn  # text was drawn
    viewer.get_by_role("button", name="Phóng to").click()
    expect(viewer.locator("[data-pdf-status]")).to_contain_text("150%")
    assert page.evaluate(INK)["width"] > drawn["width"]
    expect(page.get_by_test_id("signatures-panel")).to_be_visible()
    assert not [e for e in errors if "Content Security Policy" in e or "Refused" in e], errors


def test_an_archivist_reads_a_dossier_pdf_in_the_page(page: Any, live_server: Any, signing_office: Office,
                                                      pdf_bytes: bytes) -> None:
    """The same viewer on a dossier's page, for the PDFs filed in it (documents, scans)."""
    from vanban.records import services as records
    from vanban.records.models import CatalogEntry, DossierCatalog

    o = signing_office
    doc = issued(o, pdf_bytes)
    catalog = DossierCatalog.objects.create(agency=o.agency, year=doc.issued_on.year)
    entry = CatalogEntry.objects.create(catalog=catalog, notation="01.VP", title="Hồ sơ thử xem tệp",
                                        retention_years=10, heading="I. Văn phòng")
    dossier = records.open_dossier(actor=o.leader, entry=entry)
    records.file_document(actor=o.leader, dossier=dossier, document=doc)
    page.goto(f"{live_server.url}/dang-nhap/")
    page.get_by_label("Tên đăng nhập").fill(o.leader.username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.goto(f"{live_server.url}/ho-so/{dossier.pk}/")
    viewer = page.get_by_test_id("pdf-viewer")
    expect(viewer).to_be_hidden()
    page.get_by_test_id("pdf-view").first.click()
    expect(viewer).to_have_attribute("data-rendered", "1")
    expect(viewer.locator("[data-pdf-status]")).to_contain_text("Trang 1/")
    assert page.evaluate(INK)["ink"] > 500
