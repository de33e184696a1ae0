"""A slow action shows that it is working and cannot be pressed twice (issue 21): while the
signing request is on its way the button is disabled and says "Đang ký số…"; a second click
sends nothing; when the answer comes the document has been signed once."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.test_shell_e2e import log_in
from tests.factories import PASSWORD
from tests.office_fixtures import Office
from vanban.audit.models import AuditEvent
from vanban.outgoing import services
from vanban.pki.samplepdf import make_pdf

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_the_sign_button_is_busy_until_the_answer_and_signs_once(page: Any, live_server: Any,
                                                                 signing_office: Office) -> None:
    from tests.documents.test_workflow import draft

    o = signing_office
    doc = draft(o, make_pdf("CONG VAN thu nut ban"))
    services.submit_draft(actor=o.specialist, document=doc, approver=o.leader)
    base = live_server.url
    log_in(page, base, "lanhdao", PASSWORD)
    page.goto(f"{base}/van-ban-di/{doc.pk}/")

    # The page's own script runs first (it listens on the document); this listener on the window
    # runs after it, counts the submissions and keeps the first from leaving, so the busy state
    # can be read on the page as the user sees it during a slow answer.
    page.evaluate("""() => { window.submits = 0;
        window.addEventListener("submit", e => { window.submits += 1; e.preventDefault(); }); }""")
    page.get_by_role("button", name="Ký số và duyệt").click()
    busy = page.get_by_role("button", name="Đang ký số…")
    expect(busy).to_be_disabled()
    expect(page.locator("form[aria-busy=true]")).to_have_count(1)
    busy.click(force=True)  # a second press, on the disabled button
    expect(busy).to_be_disabled()
    assert page.evaluate("window.submits") == 1
    page.evaluate("() => document.querySelector('form[aria-busy=true]').submit()")  # the answer comes
    expect(page.get_by_test_id("doc-state")).to_have_text("Đã ký duyệt, chờ phát hành")
    assert AuditEvent.objects.filter(action="documents.approved_signed", object_id=str(doc.pk)).count() == 1
