"""Issue 21: the drafts page as tabs (to approve, to issue, my drafts) with counts; the open
one sorted by any column, paged, exported as the same selection to xlsx; nobody sees another's
drafts through it."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.test import Client

from tests.factories import make_user
from tests.office_fixtures import Office
from vanban.outgoing import services

pytestmark = pytest.mark.django_db


def _draft(o: Office, subject: str, actor: object = None) -> object:
    return services.create_draft(actor=actor or o.specialist, agency=o.agency,
                                 fields=services.DraftFields(document_type="cong-van", subject=subject),
                                 recipients=[services.RecipientInput(kind="paper", name="Lưu: VT")])


def test_tabs_counts_sorting_and_export(client: Client, signing_office: Office, pdf_bytes: bytes) -> None:
    o = signing_office
    for subject in ("Bê tông hóa đường", "An toàn giao thông", "Chuyển đổi số"):
        _draft(o, subject)
    waiting = services.create_draft(actor=o.specialist, agency=o.agency,
                                    fields=services.DraftFields(document_type="cong-van", subject="Đề nghị duyệt"),
                                    files=[services.FileInput("a.pdf", pdf_bytes)],
                                    recipients=[services.RecipientInput(kind="paper", name="Lưu: VT")])
    services.submit_draft(actor=o.specialist, document=waiting, approver=o.leader)
    other = make_user(o.agency, "specialist", username="chuyenvien.khac", full_name="Người Khác")
    _draft(o, "Dự thảo của người khác", actor=other)

    client.force_login(o.leader)  # something waits on the leader: that tab opens first
    html = client.get("/van-ban-di/").content.decode()
    assert 'aria-current="page" class="active" data-testid="tab-to_approve"' in html
    assert "Đề nghị duyệt" in html and "Bê tông hóa đường" not in html

    client.force_login(o.specialist)
    html = client.get("/van-ban-di/", {"ds": "mine", "sort": "subject"}).content.decode()
    table = html.split('data-testid="drafts-list"')[1]
    order = [s for s in ("An toàn giao thông", "Bê tông hóa đường", "Chuyển đổi số", "Đề nghị duyệt")
             if s in table]
    assert sorted(order, key=table.index) == order == [
        "An toàn giao thông", "Bê tông hóa đường", "Chuyển đổi số", "Đề nghị duyệt"]
    assert "Dự thảo của người khác" not in html and 'data-testid="tab-to_approve"' not in html
    assert "4 văn bản" in html and "?ds=mine&amp;sort=-subject" in html  # the tab kept in the sort link
    book = openpyxl.load_workbook(io.BytesIO(client.get("/van-ban-di/xlsx/", {"ds": "mine", "sort": "-subject"})
                                             .content))
    rows = [r[2] for r in book.active.iter_rows(min_row=4, values_only=True)]
    assert rows == ["Đề nghị duyệt", "Chuyển đổi số", "Bê tông hóa đường", "An toàn giao thông"]
    assert client.get("/van-ban-di/", {"ds": "to_issue"}).status_code == 200  # not theirs: their own list
