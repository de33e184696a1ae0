"""One agency filled with documents in realistic proportions, for measuring pages at scale
(`make bench-data`, `bench/pages_bench.py`). Bulk inserts, so 100 000 documents take minutes.

What a busy agency's database holds after three years: incoming documents in every state
(a few hundred waiting to be accepted, most completed), outgoing drafts, submitted, approved,
issued and revoked documents, the leaders' instructions and the assignments to specialists,
their notifications, the search index, and dossiers with documents filed in them. Numbers
keep the rules of the real services: arrival numbers are consecutive per incoming book and
year, outgoing numbers per book (legal, administrative) and year, identifier codes per
agency and year — and every book's `next_number` continues after the last number used.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, cast

from django.db import connection, models, transaction
from django.utils import timezone

from vanban.accounts.models import Membership, UnitMembership, User
from vanban.agencies.models import Agency, Unit
from vanban.core.clock import VN_TZ
from vanban.core.identifier import format_identifier
from vanban.core.text import fold
from vanban.documents.models import Document, DocumentType, IdentifierSequence, RegisterBook
from vanban.documents.numbering import BOOK_NAMES, compose_notation
from vanban.incoming.models import IncomingDocument
from vanban.outgoing.models import OutgoingDocument
from vanban.records.models import Dossier, DossierItem
from vanban.search.indexing import codes_text
from vanban.search.models import SearchEntry
from vanban.search.text import tokens_text
from vanban.workflow.models import Assignment, Instruction, Notification

BENCH_AGENCY = "000.00.99.H16"
BENCH_PASSWORD = "bench-pages-2026"  # a throwaway database's users; printed by the command
BENCH_USERS = {"clerk": "bench-clerk", "leader": "bench-leader", "specialist": "bench-specialist",
               "archivist": "bench-archivist"}
_VOCABULARY = ("về việc triển khai thực hiện kế hoạch năm báo cáo tình hình kết quả công tác phòng chống lụt bão "
         "thiên tai dịch bệnh quyết định phê duyệt dự án đầu tư xây dựng công trình giao thông nông thôn mới "
         "điều chỉnh quy hoạch sử dụng đất đai giải phóng mặt bằng bồi thường hỗ trợ tái định cư cán bộ công chức "
         "viên chức tuyển dụng khen thưởng kỷ luật thi đua giáo dục đào tạo y tế bảo hiểm xã hội tài chính "
         "ngân sách thu chi dự toán quyết toán thanh tra kiểm tra giám sát cải cách hành chính chuyển đổi số "
         "hội nghị giao ban họp tổng kết sơ kết đôn đốc hướng dẫn đề nghị góp ý dự thảo nghị quyết chỉ thị "
         "thông báo kết luận ý kiến chỉ đạo chủ tịch ủy ban nhân dân tỉnh huyện xã phường")
WORDS = _VOCABULARY.split()
ISSUERS = ["Sở Tài chính", "Sở Nội vụ", "Sở Kế hoạch và Đầu tư", "Ủy ban nhân dân tỉnh", "Sở Y tế",
           "Sở Giáo dục và Đào tạo", "Bộ Nội vụ", "Văn phòng Chính phủ", "Sở Xây dựng", "Công an tỉnh"]
TYPES = ["cong-van", "quyet-dinh", "ke-hoach", "bao-cao", "thong-bao", "to-trinh", "giay-moi"]
# Shares of each state (they add up to 1 per direction): what three years of work leave.
# Incoming of the last 30 days (older ones are done, save a few still in hand).
INCOMING_STATES = [("arrived", 0.15), ("rejected", 0.02), ("accepted", 0.10), ("in_progress", 0.40),
                   ("completed", 0.33)]
OUTGOING_STATES = [("draft", 0.02), ("returned", 0.004), ("submitted", 0.006), ("approved", 0.004),
                   ("issued", 0.96), ("revoked", 0.006)]
INCOMING_SHARE = 0.6
SPECIALISTS = 20
DOCUMENTS_PER_DOSSIER = 25
BATCH = 2000


@dataclass
class Generated:
    agency: Agency
    users: dict[str, User]
    counts: dict[str, int] = field(default_factory=dict)


@contextmanager
def _explicit_times(*fields: tuple[type[models.Model], str]) -> Iterator[None]:
    """Let bulk inserts carry the historical times set on the rows (auto_now would stamp now)."""
    saved = []
    for model, name in fields:
        f = cast(models.DateField, model._meta.get_field(name))  # the callers name date/datetime fields
        saved.append((f, f.auto_now, f.auto_now_add))
        f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, now, now_add in saved:
            f.auto_now, f.auto_now_add = now, now_add


def _weighted(rng: random.Random, shares: list[tuple[str, float]]) -> str:
    return rng.choices([s for s, _ in shares], weights=[w for _, w in shares])[0]


def _people(agency: Agency) -> dict[str, Any]:
    units = [Unit.objects.get_or_create(agency=agency, code=code, defaults={"name": name})[0]
             for code, name in (("VP", "Văn phòng"), ("TH", "Phòng Tổng hợp"), ("KT", "Phòng Kinh tế"),
                                ("VX", "Phòng Văn hóa - Xã hội"), ("NC", "Phòng Nội chính"))]

    def person(username: str, full_name: str, role: str, unit: Unit | None = None, rank: str = "member") -> User:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(username=username, full_name=full_name, email=f"{username}@bench.vanban.invalid")
            user.set_password(BENCH_PASSWORD)
            user.save()
        Membership.objects.get_or_create(user=user, agency=agency, role=role)
        if unit is not None:
            UnitMembership.objects.get_or_create(user=user, unit=unit, defaults={"rank": rank})
        return user

    users = {"clerk": person(BENCH_USERS["clerk"], "Văn thư Thử Tải", "clerk", units[0]),
             "leader": person(BENCH_USERS["leader"], "Lãnh đạo Thử Tải", "leader"),
             "leader2": person("bench-leader-2", "Phó Lãnh đạo Thử Tải", "leader"),
             "archivist": person(BENCH_USERS["archivist"], "Lưu trữ Thử Tải", "archivist", units[0])}
    specialists = [person(BENCH_USERS["specialist"], "Chuyên viên Thử Tải", "specialist", units[1])]
    specialists += [person(f"bench-specialist-{i:02d}", f"Chuyên viên số {i:02d}", "specialist",
                           units[1 + i % 4], "head" if i <= 4 else "member") for i in range(1, SPECIALISTS)]
    return {"users": users, "specialists": specialists, "units": units}


class _Builder:
    """The rows of one generation: its random source, the agency's people, books and sequences."""

    def __init__(self, agency: Agency, people: dict[str, Any], seed: int, today: date) -> None:
        self.rng = random.Random(seed)  # noqa: S311 - test data, not secrets
        self.agency, self.today = agency, today
        self.clerk: User = people["users"]["clerk"]
        self.leaders: list[User] = [people["users"]["leader"], people["users"]["leader2"]]
        self.specialists: list[User] = people["specialists"]
        self.types = {t.code: t for t in DocumentType.objects.filter(code__in=TYPES)}
        self.legal = DocumentType.objects.filter(is_legal=True).order_by("order").first()
        self.books: dict[tuple[int, str, str], RegisterBook] = {}
        self.next_identifier: dict[int, int] = {}
        self.counts: dict[str, int] = {}
        self.parts: dict[int, IncomingDocument | OutgoingDocument] = {}  # id() of a Document → its own part

    def own_parts(self, batch: list[Document]) -> None:
        """The incoming and outgoing documents' own rows, once the documents have their keys."""
        incoming: list[IncomingDocument] = []
        outgoing: list[OutgoingDocument] = []
        for d in batch:
            part = self.parts.pop(id(d), None)
            if isinstance(part, IncomingDocument):
                part.document = d
                incoming.append(part)
            elif isinstance(part, OutgoingDocument):
                part.document = d
                outgoing.append(part)
        IncomingDocument.objects.bulk_create(incoming, batch_size=1000)
        OutgoingDocument.objects.bulk_create(outgoing, batch_size=1000)

    def book(self, year: int, direction: str, scope: RegisterBook.Scope) -> RegisterBook:
        key = (year, direction, scope)
        if key not in self.books:
            self.books[key] = RegisterBook.objects.get_or_create(
                agency=self.agency, year=year, direction=direction, scope=scope,
                defaults={"name": BOOK_NAMES[scope]})[0]
        return self.books[key]

    @staticmethod
    def take(b: RegisterBook) -> int:
        """The book's next number, kept in memory and written back at the end (one generator, no race)."""
        number = b.next_number
        b.next_number += 1
        return number

    def subject(self, k: int) -> str:
        return " ".join(self.rng.choices(WORDS, k=k)).capitalize()

    def count(self, key: str, n: int = 1) -> None:
        self.counts[key] = self.counts.get(key, 0) + n

    def document(self, when: datetime) -> Document:
        rng = self.rng
        incoming = rng.random() < INCOMING_SHARE
        legal = not incoming and self.legal is not None and rng.random() < 0.02
        doc_type = self.legal if legal and self.legal else self.types[rng.choice(TYPES)]
        return self.incoming(doc_type, when) if incoming else self.outgoing(doc_type, when)

    def incoming(self, doc_type: DocumentType, when: datetime) -> Document:
        rng = self.rng
        recent = (self.today - when.date()).days < 30
        # What is still open is recent; what is old has been handled, save a few still in hand.
        state = _weighted(rng, INCOMING_STATES) if recent else rng.choices(["completed", "rejected"], [0.995, 0.005])[0]
        if not recent and rng.random() < 0.02:
            state = "in_progress"
        accepted = state not in ("arrived", "rejected")
        arrival_book = self.book(when.year, RegisterBook.Direction.INCOMING, RegisterBook.Scope.INCOMING) \
            if accepted else None
        due = (when + timedelta(days=rng.randint(5, 30))).date()
        doc = Document(
            agency=self.agency, direction=Document.Direction.INCOMING, state=state, document_type=doc_type,
            subject=self.subject(rng.randint(8, 18)), source=Document.Source.HUB,
            notation=f"{rng.randint(1, 3000):02d}/{doc_type.abbreviation or 'CV'}"
                     f"-{rng.choice(['STC', 'SNV', 'SKHĐT', 'UBND', 'SYT'])}",
            issuer_code=f"000.00.{rng.randint(1, 40):02d}.H16", issuer_name=rng.choice(ISSUERS),
            issued_on=when.date() - timedelta(days=rng.randint(0, 3)), arrived_at=when,
            accepted_at=when + timedelta(hours=rng.randint(1, 8)) if accepted else None,
            completed_at=when + timedelta(days=rng.randint(1, 20)) if state == "completed" else None,
            due_on=due if accepted else None, urgency=rng.choices(["normal", "urgent"], [0.9, 0.1])[0],
            external_id=f"bench-{when.timestamp():.6f}-{rng.getrandbits(32):08x}",
            created_at=when, updated_at=when)
        self.parts[id(doc)] = IncomingDocument(
            arrival_book=arrival_book, arrival_number=self.take(arrival_book) if arrival_book else None,
            rejection_reason="Gửi nhầm cơ quan" if state == "rejected" else "")
        return doc

    def outgoing(self, doc_type: DocumentType, when: datetime) -> Document:
        rng = self.rng
        state = _weighted(rng, OUTGOING_STATES)
        doc = Document(agency=self.agency, direction=Document.Direction.OUTGOING, state=state,
                       document_type=doc_type, subject=self.subject(rng.randint(8, 18)),
                       drafter=rng.choice(self.specialists), created_at=when, updated_at=when,
                       approver=rng.choice(self.leaders) if state not in ("draft", "returned") else None,
                       place="Thử Tải")
        part = self.parts[id(doc)] = OutgoingDocument(drafting_unit=rng.choice(["", "VP", "KT"]))
        if state in ("issued", "revoked"):
            scope = RegisterBook.Scope.LEGAL if doc_type.is_legal else RegisterBook.Scope.ADMINISTRATIVE
            b = self.book(when.year, RegisterBook.Direction.OUTGOING, scope)
            doc.register_book, doc.number = b, self.take(b)
            doc.notation = compose_notation(doc.number, doc_type, self.agency.abbreviation or "CQ",
                                            part.drafting_unit, when.year)
            value = self.next_identifier.get(when.year, 1)
            self.next_identifier[when.year] = value + 1
            doc.identifier_code = format_identifier(self.agency.code, when.year, value)
            doc.issued_at, doc.issued_on, part.issued_by = when, when.date(), self.clerk
            doc.signer_name, doc.signer_position = rng.choice(["Trần Văn Hùng", "Nguyễn Thị Lan"]), "Chủ tịch"
            if state == "revoked":
                doc.revoked_at, doc.revocation_reason = when + timedelta(days=2), "Ban hành nhầm"
        return doc

    def workflow(self, batch: list[Document]) -> None:
        """Instructions and assignments for incoming documents in hand or done, with their notifications."""
        rng = self.rng
        handled = [d for d in batch if d.direction == "incoming" and d.state in ("in_progress", "completed")]
        instructions = [Instruction(document=d, author=rng.choice(self.leaders), text="Giao phòng chuyên môn xử lý.",
                                    due_on=d.due_on, created_at=(d.accepted_at or d.created_at)
                                    + timedelta(hours=rng.randint(1, 24)))
                        for d in handled]
        Instruction.objects.bulk_create(instructions, batch_size=1000)
        assignments, notifications = [], []
        for ins in instructions:
            d = ins.document
            people = rng.sample(self.specialists, 2 if rng.random() < 0.3 else 1)
            for kind, person in zip(("lead", "support"), people, strict=False):
                state = "done" if d.state == "completed" else rng.choice(["open", "in_progress"])
                assignments.append(Assignment(
                    document=d, instruction=ins, assignee=person, kind=kind, due_on=d.due_on, state=state,
                    assigned_by=ins.author, created_at=ins.created_at,
                    started_at=ins.created_at + timedelta(hours=2) if state != "open" else None,
                    completed_at=d.completed_at if state == "done" else None))
                read = (self.today - ins.created_at.date()).days > 7 or rng.random() < 0.5
                notifications.append(Notification(
                    user=person, kind="assigned", url=f"/van-ban-den/{d.pk}/", created_at=ins.created_at,
                    text=f"Bạn được giao {'chủ trì' if kind == 'lead' else 'phối hợp'} xử lý: {d.subject[:200]}",
                    read_at=ins.created_at + timedelta(hours=3) if read else None))
        Assignment.objects.bulk_create(assignments, batch_size=1000)
        Notification.objects.bulk_create(notifications, batch_size=1000)
        self.count("instructions", len(instructions))
        self.count("assignments", len(assignments))
        self.count("notifications", len(notifications))

    def index(self, batch: list[Document]) -> None:
        """The search entries the indexer would write (metadata and a body of attachment text)."""
        entries = []
        for d in batch:
            body = " ".join(self.rng.choices(WORDS, k=self.rng.randint(40, 120)))
            exact = tokens_text(f"{d.notation} {d.identifier_code or ''} {d.document_type.name} {d.subject} "
                                f"{d.signer_name} {d.issuer_name} {d.agency.name} {body}")
            entries.append(SearchEntry(document_id=d.pk, exact=exact, folded=fold(exact), codes=codes_text(d),
                                       body=body, source_updated_at=d.updated_at))
        SearchEntry.objects.bulk_create(entries, batch_size=1000)

    def finish_sequences(self) -> None:
        """Each book and identifier sequence continues after the last number generated."""
        for b in self.books.values():
            RegisterBook.objects.filter(pk=b.pk).update(next_number=b.next_number)
        for year, value in self.next_identifier.items():
            IdentifierSequence.objects.update_or_create(agency=self.agency, year=year,
                                                        defaults={"next_value": value})

    def dossiers(self) -> None:
        """Dossiers per year, each with final documents filed in it: open this year, archived before."""
        rng = self.rng
        final = list(Document.objects.filter(agency=self.agency, state__in=["issued", "completed"])
                     .values_list("pk", "created_at").order_by("created_at", "pk"))
        by_year: dict[int, list[int]] = {}
        for pk, created in final[::3]:  # a third of the final documents are filed into a dossier
            by_year.setdefault(timezone.localtime(created).year, []).append(pk)
        dossiers: list[Dossier] = []
        plan: list[tuple[int, list[int]]] = []
        for year, pks in sorted(by_year.items()):
            for n, first in enumerate(range(0, len(pks), DOCUMENTS_PER_DOSSIER), start=1):
                creator = rng.choice(self.specialists)
                state = Dossier.State.OPEN if year == self.today.year else Dossier.State.ARCHIVED
                dossiers.append(Dossier(
                    agency=self.agency, year=year, notation=f"{n:02d}.{rng.choice(['VP', 'TH', 'KT'])}",
                    title=f"Hồ sơ về {' '.join(rng.choices(WORDS, k=6))}", retention_years=rng.choice([None, 10, 20]),
                    state=state, creator=creator, creator_name=creator.display_name(),
                    archived_at=timezone.now() if state == Dossier.State.ARCHIVED else None))
                plan.append((len(dossiers) - 1, pks[first:first + DOCUMENTS_PER_DOSSIER]))
        Dossier.objects.bulk_create(dossiers, batch_size=1000)
        items = [DossierItem(dossier=dossiers[i], document_id=pk, ordinal=k, filed_by=dossiers[i].creator)
                 for i, pks in plan for k, pk in enumerate(pks, start=1)]
        DossierItem.objects.bulk_create(items, batch_size=2000)
        self.count("dossiers", len(dossiers))
        self.count("filed", len(items))


def generate(documents: int, *, agency_code: str = BENCH_AGENCY, seed: int = 2026,
             progress: Callable[[str, int, int], None] | None = None, today: date | None = None) -> Generated:
    """Fill one agency (created if missing; it must hold no documents yet) with `documents` documents."""
    today = today or timezone.localdate()
    agency, _ = Agency.objects.get_or_create(code=agency_code, defaults={
        "name": "Ủy ban nhân dân huyện Thử Tải", "short_name": "UBND huyện Thử Tải", "abbreviation": "UBND"})
    if Document.objects.filter(agency=agency).exists():
        raise ValueError(f"{agency_code} already holds documents: generate into an empty agency")
    people = _people(agency)
    run = _Builder(agency, people, seed, today)
    start = datetime.combine(today - timedelta(days=3 * 365), datetime.min.time(), tzinfo=VN_TZ)
    span = (datetime.combine(today, datetime.min.time(), tzinfo=VN_TZ) - start).total_seconds()
    # Times in increasing order, so numbers taken in that order are consecutive within each year.
    moments = sorted(start + timedelta(seconds=run.rng.random() * span) for _ in range(documents))
    with _explicit_times((Document, "created_at"), (Document, "updated_at"), (Instruction, "created_at"),
                         (Assignment, "created_at"), (Notification, "created_at")):
        for first in range(0, documents, BATCH):
            batch = [run.document(when) for when in moments[first:first + BATCH]]
            with transaction.atomic():
                Document.objects.bulk_create(batch, batch_size=1000)
                run.own_parts(batch)
                run.workflow(batch)
                run.index(batch)
            for d in batch:
                run.count(f"{d.direction}:{d.state}")
            if progress:
                progress("documents", min(documents, first + BATCH), documents)
    with transaction.atomic():
        run.finish_sequences()
        run.dossiers()
    if progress:
        progress("dossiers", run.counts.get("dossiers", 0), run.counts.get("dossiers", 0))
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        # What autovacuum would have done to a database this size: statistics for the planner,
        # and the visibility map that lets a count read an index alone.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    return Generated(agency, {**people["users"], "specialist": people["specialists"][0]}, run.counts)
