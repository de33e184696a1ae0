"""No page of the demo shows a person a raw code, a login in place of a name, an ISO date or an
English role name (issue 21). Every demo user's pages are read as a person reads them (visible
text only): the navigation, the document pages of a day's work, and every page two links away
from those (lists → a dossier → its documents …), about 1,600 pages."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape

import pytest
from django.test import Client
from django.utils import timezone

from vanban.accounts.models import User
from vanban.demo.province import USERS
from vanban.demo.services import load_demo
from vanban.documents.models import Document
from vanban.incoming import services as incoming
from vanban.outgoing import services
from vanban.pki.samplepdf import make_pdf
from vanban.workflow import services as workflow

pytestmark = pytest.mark.django_db

LOGINS = [u[0] for u in USERS]
PATTERNS = {
    "ISO date": re.compile(r"\b(19|20)\d\d-\d\d-\d\d\b"),
    "audit code": re.compile(r"\b(documents|workflow|exchange|records|accounts|hub|trust|agencies|audit|system)"
                             r"\.[a-z]+_[a-z_]+\b"),
    "English role": re.compile(r"\b(clerk|leader|specialist|archivist|agency_admin|hub_operator)\b"),
    "Python value": re.compile(r"\b(None|True|False)\b"),
    "login": re.compile(r"\b(" + "|".join(re.escape(u) for u in LOGINS) + r")\b"),
    "metadata tag": re.compile(r"\b(FileCode|FileNotation|OrganId|FileCatalog|Maintenance|PageTotal|DocTotal|"
                               r"ConfidenceLevel|InforSign|KeyWord|typeName|codeNotation|issuedDate|organName|"
                               r"pageAmount|arcDocCode)\b"),
    "assignment kind": re.compile(r"\((lead|support|info)\)"),
    # a type's code alone, not inside a file name such as cong-van.pdf
    "document type slug": re.compile(r"(?<![\w.-])(cong-van|quyet-dinh|nghi-quyet|ke-hoach|thong-bao|to-trinh|"
                                     r"bao-cao)(?![\w.-])"),
}
# Where a login is the thing shown: the user administration pages name the login column.
LOGINS_SHOWN = ("/nguoi-dung/",)


def visible_text(html: str) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S | re.I)
    html = re.sub(r"<title>.*?</title>", " ", html, flags=re.S | re.I)
    return unescape(re.sub(r"<[^>]+>", " ", html))


def day_of_work() -> list[int]:
    """An issued outgoing document at the UBND office and a processed incoming one at Sở Nội vụ."""
    user = {u.username: u for u in User.objects.all()}
    ubnd = user["chuyenvien.ubnd"].memberships.first().agency
    snv = user["chuyenvien.snv"].memberships.first().agency
    draft = services.create_draft(
        actor=user["chuyenvien.ubnd"], agency=ubnd,
        fields=services.DraftFields(document_type="cong-van", subject="Về việc rà soát hồ sơ năm 2026",
                                    place="Đắk Lắk", due_on=timezone.localdate() + timedelta(days=5)),
        files=[services.FileInput("cong-van.pdf", make_pdf("CONG VAN ra soat ho so"))],
        recipients=[services.RecipientInput(kind="agency", agency_code=snv.code)])
    services.submit_draft(actor=user["chuyenvien.ubnd"], document=draft, approver=user["lanhdao.ubnd"])
    services.approve_and_sign(actor=user["lanhdao.ubnd"], document=draft)
    services.issue_document(actor=user["vanthu.ubnd"], document=draft)
    paper = incoming.register_paper(actor=user["vanthu.snv"], agency=snv, type_code="cong-van",
                                    subject="Về việc báo cáo công tác văn thư", notation="15/UBND-VP",
                                    issuer_name="Ủy ban nhân dân xã Ea Kao", issued_on=timezone.localdate(),
                                    files=[("cv.pdf", make_pdf("CONG VAN bao cao"))])
    workflow.assign(actor=user["lanhdao.snv"], document=paper, instruction="Giao Phòng Công chức tham mưu",
                    due_on=timezone.localdate() + timedelta(days=3),
                    assignees=[workflow.AssigneeInput(user["chuyenvien.snv"], "lead"),
                               workflow.AssigneeInput(user["vanthu.snv"], "info")])
    return [draft.pk, paper.pk]


# Links not followed: leaving, the Django admin (English by design, staff only), downloads and
# generated files (not pages), and list variants (sorting, paging, filters) of a page already read.
SKIP = re.compile(r"^/(dang-xuat|quan-tri|static|media)/|\.(pdf|xlsx|zip|xml|json|csv)$|/(tep|tai|xuat|goi)/")
DEPTH = 2  # the menu's pages, what they link to, and what those link to
MAX_PAGES = 120  # per person: enough for a day's pages, bounded for CI


def crawl(client: Client, start: list[str]) -> dict[str, str]:
    """Visible text of every page reachable from `start` within DEPTH links (GET only)."""
    seen: dict[str, str] = {}
    frontier = list(dict.fromkeys(start))
    for depth in range(DEPTH + 1):
        following: list[str] = []
        for url in frontier:
            if url in seen or len(seen) >= MAX_PAGES:
                continue
            response = client.get(url)
            seen[url] = ""
            if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
                continue
            html = response.content.decode()
            seen[url] = visible_text(html)
            if depth < DEPTH:
                main = html.split("<main", 1)[-1]
                following += [h for h in re.findall(r'href="(/[^"#?]*)"', main) if not SKIP.search(h)]
        frontier = [u for u in dict.fromkeys(following) if u not in seen]
    return seen


def test_no_page_shows_codes_logins_or_iso_dates() -> None:
    load_demo("http://127.0.0.1:9/hub/api/v1")
    docs = day_of_work()
    leaks: list[str] = []
    pages = 0
    for username in LOGINS:
        client = Client()
        client.force_login(User.objects.get(username=username))
        home = client.get("/").content.decode()
        nav = home.split('<nav class="side"')[1].split("</nav>")[0] if '<nav class="side"' in home else ""
        urls = ["/", *re.findall(r'href="(/[^"]*)"', nav)]
        for pk in docs:
            doc = Document.objects.get(pk=pk)
            urls.append(f"/van-ban-den/{pk}/" if doc.direction == "incoming" else f"/van-ban-di/{pk}/")
        for url, text in crawl(client, urls).items():
            pages += bool(text)
            for what, pattern in PATTERNS.items():
                if what == "login" and url.startswith(LOGINS_SHOWN):
                    continue
                for match in pattern.finditer(text):
                    around = " ".join(text[max(0, match.start() - 40):match.end() + 40].split())
                    leaks.append(f"{username} {url}: {what} «{match.group(0)}» in “…{around}…”")
    assert pages > 1000  # the crawl really read the demo's pages (about 1,600 when written)
    assert not leaks, "\n" + "\n".join(sorted(set(leaks)))
