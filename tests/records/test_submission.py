"""Submission deadlines (hạn nộp lưu, NĐ 30): the due date at its boundaries, the construction
rule, the 2-year limit of an approved extension, reminders sent exactly once, the pages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.factories import make_agency, make_user
from vanban.audit.models import AuditEvent
from vanban.records import submission, tasks
from vanban.records.errors import RecordsError
from vanban.records.models import Dossier, DossierItem, SubmissionExtension, SubmissionReminder
from vanban.records.submission import add_months, due_of
from vanban.workflow.models import Notification

pytestmark = pytest.mark.django_db
VN = ZoneInfo("Asia/Ho_Chi_Minh")


@dataclass
class Unit:
    agency: Any
    clerk: Any  # opens the dossiers (the creator)
    archivist: Any
    leader: Any
    other: Any  # a specialist who did not open them


@pytest.fixture
def unit() -> Unit:
    agency = make_agency("000.00.01.H16", "Văn phòng UBND tỉnh Đắk Lắk")
    return Unit(agency, make_user(agency, "specialist", username="cv", full_name="Nguyễn Văn An"),
                make_user(agency, "archivist", username="lt", full_name="Phạm Thị Lưu"),
                make_user(agency, "leader", username="ld", full_name="Trần Văn Lãnh"),
                make_user(agency, "specialist", username="cv2", full_name="Lê Thị Khác"))


def dossier(u: Unit, notation: str = "01.TH", *, state: str = Dossier.State.CLOSED, retention: int | None = 10,
            end: date | None = None, **extra: Any) -> Dossier:
    return Dossier.objects.create(agency=u.agency, year=2025, notation=notation, title=f"Hồ sơ {notation}",
                                  retention_years=retention, state=state, creator=u.clerk,
                                  creator_name=u.clerk.full_name, end_date=end,
                                  closed_at=timezone.now() if state == Dossier.State.CLOSED else None, **extra)


def test_add_months_keeps_the_day_or_takes_the_months_last() -> None:
    assert add_months(date(2025, 3, 15), 12) == date(2026, 3, 15)
    assert add_months(date(2024, 2, 29), 12) == date(2025, 2, 28)
    assert add_months(date(2025, 11, 30), 3) == date(2026, 2, 28)
    assert add_months(date(2027, 11, 30), 3) == date(2028, 2, 29)
    assert add_months(date(2025, 10, 31), 3) == date(2026, 1, 31)


def test_one_year_after_the_work_ends_and_its_boundaries(unit: Unit) -> None:
    d = dossier(unit, end=date(2025, 3, 15))
    due = due_of(d)
    assert (due.counted_from, due.legal_on, due.due_on) == (date(2025, 3, 15), date(2026, 3, 15), date(2026, 3, 15))
    assert due.basis == "thời gian kết thúc của hồ sơ"
    assert due.status(date(2026, 2, 12), 30) == "later"  # 31 days before
    assert due.status(date(2026, 2, 13), 30) == "near"  # exactly 30 days before
    assert due.status(date(2026, 3, 15), 30) == "near"  # the due day itself is not late
    assert due.status(date(2026, 3, 16), 30) == "overdue"
    assert due.days_left(date(2026, 3, 16)) == -1


def test_retention_under_five_years_is_not_due_five_and_permanent_are(unit: Unit) -> None:
    assert due_of(dossier(unit, "01", retention=4, end=date(2025, 1, 10))).due_on is None
    assert "dưới 05 năm" in due_of(Dossier.objects.get(notation="01")).why_none
    assert due_of(dossier(unit, "02", retention=5, end=date(2025, 1, 10))).due_on == date(2026, 1, 10)
    assert due_of(dossier(unit, "03", retention=None, end=date(2025, 1, 10))).due_on == date(2026, 1, 10)


def test_what_the_work_end_is(unit: Unit) -> None:
    # an open dossier is not due until someone says its work ended
    assert due_of(dossier(unit, "01", state=Dossier.State.OPEN)).due_on is None
    assert due_of(dossier(unit, "02", state=Dossier.State.OPEN, end=date(2025, 6, 1))).due_on == date(2026, 6, 1)
    # closed without an end date: the latest document's date, else the day it was closed
    closed = dossier(unit, "03")
    for n, issued in enumerate(["2025-04-02", "2025-09-30", ""], start=1):
        DossierItem.objects.create(dossier=closed, ordinal=n, metadata={"issuedDate": issued})
    due = due_of(closed)
    assert (due.counted_from, due.due_on, due.basis) == (
        date(2025, 9, 30), date(2026, 9, 30), "ngày của văn bản cuối cùng trong hồ sơ")
    bare = dossier(unit, "04")
    Dossier.objects.filter(pk=bare.pk).update(closed_at=datetime(2025, 12, 31, 20, 0, tzinfo=VN))
    bare.refresh_from_db()
    assert due_of(bare).counted_from == date(2025, 12, 31)  # Vietnam's day, not UTC's
    # submitted: with the archive, nothing due
    assert due_of(dossier(unit, "05", state=Dossier.State.SUBMITTED, end=date(2025, 1, 1))).due_on is None


def test_construction_dossiers_are_due_three_months_after_settlement(unit: Unit) -> None:
    d = dossier(unit, end=date(2024, 1, 10))
    with pytest.raises(RecordsError) as info:
        submission.set_construction(actor=unit.other, dossier=d, construction=True, settled_on=date(2025, 11, 30))
    assert info.value.status == 404
    with pytest.raises(RecordsError) as info:
        submission.set_construction(actor=unit.clerk, dossier=d, construction=True,
                                    settled_on=timezone.localdate() + timedelta(days=1))
    assert info.value.code == "RECORDS_BAD_DATE"
    submission.set_construction(actor=unit.clerk, dossier=d, construction=True, settled_on=None)
    d.refresh_from_db()
    assert "chưa ghi ngày quyết toán" in due_of(d).why_none
    submission.set_construction(actor=unit.archivist, dossier=d, construction=True, settled_on=date(2025, 11, 30))
    d.refresh_from_db()
    due = due_of(d)
    assert (due.counted_from, due.due_on, due.basis) == (date(2025, 11, 30), date(2026, 2, 28),
                                                         "ngày quyết toán công trình")
    events = AuditEvent.objects.filter(action="records.submission_terms_changed").order_by("id")
    assert [e.details["settled_on"] for e in events] == [None, "2025-11-30"]
    assert events.last().details["due_on"] == "2026-02-28"
    submission.set_construction(actor=unit.clerk, dossier=d, construction=False, settled_on=date(2025, 11, 30))
    d.refresh_from_db()
    assert (d.construction, d.settled_on, due_of(d).due_on) == (False, None, date(2025, 1, 10))


def test_an_extension_is_at_most_two_years_and_audited(unit: Unit) -> None:
    d = dossier(unit, end=date(2025, 3, 15))  # due 15/03/2026
    refusals = [
        (unit.clerk, "Số 12/CV-VP ngày 01/3/2026", date(2027, 3, 15), "FORBIDDEN"),
        (unit.archivist, "  ", date(2027, 3, 15), "RECORDS_EXTENSION_REFERENCE"),
        (unit.archivist, "Số 12", None, "RECORDS_BAD_DATE"),
        (unit.archivist, "Số 12", date(2026, 3, 15), "RECORDS_EXTENSION_TOO_SHORT"),
        (unit.archivist, "Số 12", date(2028, 3, 16), "RECORDS_EXTENSION_TOO_LONG"),
    ]
    for actor, reference, new_due, code in refusals:
        with pytest.raises(RecordsError) as info:
            submission.extend(actor=actor, dossier=d, reference=reference, new_due_on=new_due)
        assert info.value.code == code, (reference, new_due)
    assert "chậm nhất đến 15/03/2028" in str(info.value.message)
    assert not SubmissionExtension.objects.exists()
    assert not AuditEvent.objects.filter(action="records.submission_extended").exists()
    ext = submission.extend(actor=unit.leader, dossier=d, reference="Số 12/CV-VP ngày 01/3/2026",
                            new_due_on=date(2028, 3, 15), reason="Còn dùng để giải quyết khiếu nại")
    due = due_of(d)
    assert (due.legal_on, due.due_on, due.extension) == (date(2026, 3, 15), date(2028, 3, 15), ext)
    event = AuditEvent.objects.get(action="records.submission_extended")
    assert event.details["new_due_on"] == "2028-03-15" and event.details["before"] == "2026-03-15"
    assert event.details["reference"] == "Số 12/CV-VP ngày 01/3/2026"
    # the end date moved earlier afterwards: the approval cannot reach past 2 years of the new date
    Dossier.objects.filter(pk=d.pk).update(end_date=date(2025, 1, 1))
    d.refresh_from_db()
    assert due_of(d).due_on == date(2028, 1, 1)
    # a dossier not due cannot be extended; one already submitted neither
    short = dossier(unit, "02", retention=3, end=date(2025, 1, 1))
    with pytest.raises(RecordsError) as info:
        submission.extend(actor=unit.archivist, dossier=short, reference="Số 1", new_due_on=date(2026, 6, 1))
    assert info.value.code == "RECORDS_NO_DUE_DATE"
    sent = dossier(unit, "03", state=Dossier.State.SUBMITTED, end=date(2025, 1, 1))
    with pytest.raises(RecordsError) as info:
        submission.extend(actor=unit.archivist, dossier=sent, reference="Số 1", new_due_on=date(2026, 6, 1))
    assert info.value.code == "RECORDS_ALREADY_SUBMITTED"
    # another agency's people see nothing
    stranger = make_user(make_agency("000.00.02.H16", "Sở Nội vụ"), "archivist", username="lt2")
    with pytest.raises(RecordsError) as info:
        submission.extend(actor=stranger, dossier=d, reference="Số 1", new_due_on=date(2027, 1, 1))
    assert info.value.status == 404


def test_reminders_go_out_once_before_and_once_after(unit: Unit, settings: Any) -> None:
    settings.VANBAN_RECORDS_DUE_NOTICE_DAYS = 30
    d = dossier(unit, end=date(2025, 3, 15))  # due 15/03/2026
    dossier(unit, "02", retention=2, end=date(2025, 3, 15))  # not due: never reminded
    orphan = dossier(unit, "03", end=date(2025, 3, 15))
    Dossier.objects.filter(pk=orphan.pk).update(creator=None)  # nobody to tell

    def notes() -> Any:
        return Notification.objects.filter(user=unit.clerk)

    assert submission.remind(date(2026, 2, 12)) == 0
    assert submission.remind(date(2026, 2, 13)) == 1
    assert submission.remind(date(2026, 2, 13)) == 0
    assert submission.remind(date(2026, 3, 15)) == 0  # still the same near reminder
    assert [n.text for n in notes()] == [
        "Sắp đến hạn nộp lưu: hồ sơ 000.00.01.H16.2025.01.TH “Hồ sơ 01.TH” cần nộp Lưu trữ cơ quan (hạn 15/03/2026)."]
    assert notes().get().url == reverse("records:submission_terms", args=[d.pk])
    assert submission.remind(date(2026, 3, 16)) == 1
    assert submission.remind(date(2026, 4, 30)) == 0
    assert notes().first().text.startswith("Quá hạn nộp lưu: hồ sơ 000.00.01.H16.2025.01.TH")
    assert notes().first().kind == "submission_overdue"
    assert SubmissionReminder.objects.count() == 2 and Notification.objects.count() == 2
    # an approved extension: the new date gets its own reminders
    submission.extend(actor=unit.archivist, dossier=d, reference="Số 5/VP", new_due_on=date(2026, 12, 31))
    assert submission.remind(date(2026, 5, 1)) == 0
    assert submission.remind(date(2026, 12, 1)) == 1
    assert "(hạn 31/12/2026)" in notes().first().text
    # the periodic job does the same and finds nothing more to send today
    assert tasks.submission_reminders.call_local() == 0
    # submitted: no more reminders whatever the date
    Dossier.objects.filter(pk=d.pk).update(state=Dossier.State.SUBMITTED)
    assert submission.remind(date(2027, 6, 1)) == 0


def test_the_archivists_page_and_the_dossiers_page(unit: Unit, client: Client) -> None:
    today = timezone.localdate()
    late = dossier(unit, "01.TH", end=add_months(today, -12) - timedelta(days=3))  # 3 days late
    soon = dossier(unit, "02.TH", end=add_months(today, -12) + timedelta(days=10))  # due in 10 days
    dossier(unit, "03.TH", end=add_months(today, -12) + timedelta(days=60))  # later
    url = reverse("records:submission_due")
    client.force_login(unit.clerk)
    assert client.get(url).status_code == 403
    client.force_login(unit.archivist)
    page = client.get(url).content.decode()
    overdue, near = page.split('data-testid="due-overdue"')[1], page.split('data-testid="due-near"')[1]
    assert late.file_code in overdue.split("</table>")[0] and "3 ngày" in overdue.split("</table>")[0]
    assert soon.file_code in near.split("</table>")[0] and "10 ngày" in near.split("</table>")[0]
    assert "03.TH" not in page
    assert 'data-testid="total-overdue">1<' in page and 'data-testid="total-near">1<' in page
    assert "03.TH" in client.get(url, {"ngay": "90"}).content.decode()

    terms = reverse("records:submission_terms", args=[late.pk])
    limit = add_months(due_of(late).legal_on, 24)
    # a specialist who did not open it sees nothing; its creator may not record an extension
    client.force_login(unit.other)
    assert client.get(terms).status_code == 404
    client.force_login(unit.clerk)
    assert "Quá hạn nộp lưu" in client.get(terms).content.decode()
    r = client.post(terms, {"action": "extend", "reference": "Số 1", "new_due_on": limit.isoformat()})
    assert r.status_code == 403 and not SubmissionExtension.objects.exists()
    r = client.post(terms, {"action": "construction", "construction": "1", "settled_on": "31/02/2025"})
    assert r.status_code == 302 and not Dossier.objects.get(pk=late.pk).construction
    client.force_login(unit.archivist)
    r = client.post(terms, {"action": "extend", "reference": "Số 12/CV-VP",
                            "new_due_on": (limit + timedelta(days=1)).strftime("%d/%m/%Y")}, follow=True)
    assert "tối đa 02 năm" in r.content.decode() and not SubmissionExtension.objects.exists()
    r = client.post(terms, {"action": "extend", "reference": "Số 12/CV-VP", "new_due_on": limit.strftime("%d/%m/%Y")},
                    follow=True)
    body = r.content.decode()
    assert f"{limit:%d/%m/%Y} theo Số 12/CV-VP" in body and "Còn " in body
    assert 'data-testid="total-extended">1<' in client.get(url).content.decode()
