"""Agency A with one object of every kind a URL can name, and the people who must not see them.

Used by the access tests (every URL, as a stranger) and by the API fuzzing (so generated
requests meet real rows). Every string that would betray A's data is collected in
`World.secrets`: subjects, notations, identifier codes, dossier titles, names.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.test import Client
from django.utils import timezone

from tests.factories import make_agency, make_user
from tests.hub.packages import document, make_identity, unsigned_document
from tests.office_fixtures import Office
from vanban.accounts.delegation import give as give_delegation
from vanban.accounts.models import UnitMembership
from vanban.accounts.services import create_api_token
from vanban.agencies.models import Unit
from vanban.blobs import get_store
from vanban.documents.models import Document
from vanban.exchange.models import InboxEntry
from vanban.hub import services as hub
from vanban.hub.models import Endpoint, RefusedPackage
from vanban.hub.vxp_models import AgencyClaim
from vanban.incoming import services as incoming
from vanban.incoming.models import ScanOcr
from vanban.outgoing import services as docs
from vanban.pki.samplepdf import make_pdf
from vanban.records import services as records
from vanban.records.importer import read_catalog
from vanban.records.models import ArchivalPackage, DestructionReview, DigitisationBatch, DigitisationEntry
from vanban.workflow import consultation, deadlines, processes
from vanban.workflow import services as workflow
from vanban.workflow.models import Assignment, UnitAssignment

MARK = "ZQXW"  # in every secret subject: a stranger's page containing it has leaked
CATALOG_CSV = f"""Đề mục,Số và ký hiệu hồ sơ,Tiêu đề hồ sơ,Thời hạn bảo quản,Người lập hồ sơ
I. TỔNG HỢP,,,,
,01.TH,Hồ sơ {MARK} về việc thử nghiệm kiểm soát truy cập,Vĩnh viễn,Nguyễn Văn An
,02.TH,Báo cáo {MARK} công tác năm,10 năm,Trần Thị Bình
"""


@dataclass
class World:
    a: Any
    b: Any
    users: dict[str, Any]
    ids: dict[str, Any]
    secrets: list[str] = field(default_factory=list)
    hub_tokens: dict[str, str] = field(default_factory=dict)
    api_tokens: dict[str, str] = field(default_factory=dict)

    def client(self, who: str) -> Client:
        c = Client()
        c.force_login(self.users[who])
        return c


def _draft(office: Office, subject: str, actor: Any = None) -> Document:
    return docs.create_draft(
        actor=actor or office.specialist, agency=office.agency,
        fields=docs.DraftFields(document_type="quyet-dinh", subject=subject, place="Đắk Lắk"),
        files=[docs.FileInput("quyet-dinh.pdf", make_pdf(subject.encode("ascii", "ignore").decode()))],
        recipients=[docs.RecipientInput(kind="agency", agency_code="000.00.02.H16")])


def build_world(office: Office) -> World:
    a = office.agency
    b = make_agency("000.00.02.H16")
    users = {
        "a_specialist": office.specialist, "a_leader": office.leader, "a_clerk": office.clerk,
        "a_archivist": make_user(a, "archivist", username="luutru.a", full_name=f"Phạm Thị Lưu {MARK}"),
        "a_admin": make_user(a, "agency_admin", username="quantri.a", full_name=f"Hoàng Quản Trị {MARK}"),
        "a_other_specialist": make_user(a, "specialist", username="chuyenvien2.a", full_name="Lò Văn Hai"),
        # The stranger: every office role, in another agency.
        "b_all": make_user(b, "clerk", "leader", "specialist", "archivist", "agency_admin",
                           username="tatca.b", full_name="Y Bình Niê"),
        "operator": make_user(make_agency("000.00.00.H16"), "hub_operator", username="vanhanh",
                              full_name="Vận Hành Trục"),
    }
    ids: dict[str, Any] = {}

    draft = _draft(office, f"Dự thảo {MARK} kế hoạch chuyển đổi số")
    submitted = _draft(office, f"Trình ký {MARK} quy chế văn thư")
    docs.submit_draft(actor=office.specialist, document=submitted, approver=office.leader)
    approved = _draft(office, f"Đã duyệt {MARK} quyết định khen thưởng")
    docs.submit_draft(actor=office.specialist, document=approved, approver=office.leader)
    docs.approve_and_sign(actor=office.leader, document=approved)
    issued = _draft(office, f"Ban hành {MARK} quyết định thành lập tổ công tác")
    docs.submit_draft(actor=office.specialist, document=issued, approver=office.leader)
    docs.approve_and_sign(actor=office.leader, document=issued)
    issued = docs.issue_document(actor=office.clerk, document=issued)

    arrived = incoming.register_paper(
        actor=office.clerk, agency=a, type_code="cong-van", subject=f"Đến {MARK} công văn đề nghị báo cáo",
        notation="77/ZQXW-SNV", issuer_name=f"Sở {MARK} Kế hoạch", issued_on=date(2026, 3, 2),
        files=[("scan.pdf", make_pdf("SCAN CONG VAN DEN"))])
    workflow.forward_to_leader(actor=office.clerk, document=arrived, leader=office.leader)
    workflow.assign(actor=office.leader, document=arrived, instruction=f"Chỉ đạo {MARK}: xử lý gấp",
                    assignees=[workflow.AssigneeInput(user=office.specialist, kind="lead")])
    assignment = Assignment.objects.get(document=arrived)

    parsed = read_catalog("danhmuc.csv", CATALOG_CSV.encode())
    catalog = records.import_catalog(actor=users["a_archivist"], agency=a, year=2026, parsed=parsed,
                                     source="danhmuc.csv").catalog
    entries = {e.notation: e for e in catalog.entries.all()}
    dossier = records.open_dossier(actor=office.specialist, entry=entries["01.TH"])
    records.file_document(actor=office.specialist, dossier=dossier, document=issued)
    closed = records.open_dossier(actor=office.specialist, entry=entries["02.TH"])
    filed = _draft(office, f"Lưu {MARK} báo cáo năm")
    docs.submit_draft(actor=office.specialist, document=filed, approver=office.leader)
    docs.approve_and_sign(actor=office.leader, document=filed)
    filed = docs.issue_document(actor=office.clerk, document=filed)
    records.file_document(actor=office.specialist, dossier=closed, document=filed)
    records.close_dossier(actor=office.specialist, dossier=closed)
    transfer = records.submit_transfer(actor=office.specialist, dossiers=[closed], note=f"Nộp lưu {MARK}")
    item = dossier.items.first()
    item_file = item.files.first()

    # The hub: A's package to C, seen by neither B's endpoint nor any office user but operators.
    c = make_agency("000.00.03.H16")
    ident = {code: make_identity(code) for code in (a.code, b.code, c.code)}
    tokens = {}
    for code, name in ((a.code, "qlvb-a"), (b.code, "qlvb-b"), (c.code, "qlvb-c")):
        _, tokens[code] = hub.create_endpoint(name=name, codes=[code], cert_pem=ident[code].cert_pem(),
                                              actor="test")
    data, package_doc_id = document(ident[a.code], c.code)
    answer = Client().post("/hub/api/v1/packages", data, content_type="application/xml",
                           HTTP_AUTHORIZATION=f"Bearer {tokens[a.code]}")
    assert answer.status_code == 201, answer.content
    # A pending registerAgency claim (VXP directory authority): only hub operators may decide it.
    claim = AgencyClaim.objects.create(endpoint=Endpoint.objects.get(name="qlvb-a"), code="001.00.01.H16",
                                       parent_code="000.00.01.H16", name=f"Phòng {MARK}", reasons=["unsigned"],
                                       created_at=timezone.now())
    # The hub's quarantine: A's endpoint (strict; the hub's default is lenient) submitted an
    # unsigned package: refused, held.
    hub.set_signature_policy(name="qlvb-a", policy="strict", actor="test")
    unsigned = Client().post("/hub/api/v1/packages", unsigned_document(a.code, c.code)[0],
                             content_type="application/xml", HTTP_AUTHORIZATION=f"Bearer {tokens[a.code]}")
    assert unsigned.status_code == 422, unsigned.content
    # The office's quarantine: a package delivered for A that could not be taken in.
    held = InboxEntry.objects.create(
        hub_package_id=f"cach-ly-{uuid.uuid4()}", kind="document", sender_code=c.code, recipient_codes=[a.code],
        addressee_code=a.code, edxml_document_id=f"{c.code},2026/03/01,{MARK}-cach-ly", sha256=get_store().put(
            b"khong phai edXML"), size=16, state=InboxEntry.State.FAILED, error_code="EDXML_NOT_XML",
        error=f"EDXML_NOT_XML: gói tin {MARK} không đọc được", attempts=1)
    unit = Unit.objects.create(agency=a, code="ZQ", name=f"Phòng {MARK}")
    placed = UnitMembership.objects.create(user=users["a_other_specialist"], unit=unit, position=f"Tổ trưởng {MARK}")
    # The incoming document also distributed to a unit a_specialist heads (support).
    support_unit = Unit.objects.create(agency=a, code="ZU", name=f"Phòng hỗ trợ {MARK}")
    UnitMembership.objects.create(user=users["a_specialist"], unit=support_unit, rank="head")
    consulted = consultation.ask(actor=users["a_specialist"], document=draft, question=f"Xin ý kiến {MARK}",
                                 due_on=timezone.localdate() + timedelta(days=5), units=[support_unit])
    unit_task = UnitAssignment.objects.create(document=arrived, instruction=assignment.instruction, unit=support_unit,
                                              kind="support", assigned_by=office.leader)
    # A digitisation batch filing paper scans into A's dossier (not run here).
    batch = DigitisationBatch.objects.create(dossier=dossier, requested_by=office.specialist, source=f"giay-{MARK}.zip")
    DigitisationEntry.objects.create(batch=batch, order=1, name=f"trang-{MARK}.pdf", sha256="0" * 64)
    # A scan the clerk of A sent to OCR (queued: no OCR is run here).
    scan_sha = get_store().put(f"%PDF-1.4 quet {MARK}".encode())
    scan_job = ScanOcr.objects.create(agency=a, requested_by=users["a_clerk"], name=f"quet-{MARK}.pdf",
                                      original_name=f"quet-{MARK}.pdf", scan_sha256=scan_sha, original_sha256=scan_sha)
    # The leader of A lets another specialist sign by order (TL.).
    delegation = give_delegation(actor=users["a_leader"], agency=a, principal=users["a_leader"],
                                 delegate=users["a_other_specialist"], kind="TL.", starts_on=timezone.localdate(),
                                 ends_on=None, reference=f"Quyết định giao ký thừa lệnh {MARK}")
    _, api_token = create_api_token(actor="test", agency=a, name="Hệ thống A")
    _, api_token_b = create_api_token(actor="test", agency=b, name="Hệ thống B")

    review = DestructionReview.objects.create(agency=a, title=f"Xét hủy {MARK}", created_by=users["a_archivist"])
    # An archival package (AIP) row of A's closed dossier (its bytes a stand-in: no conversion here).
    aip_bytes = f"goi luu tru {MARK}".encode()
    aip = ArchivalPackage.objects.create(dossier=closed, kind="aip", sha256=get_store().put(aip_bytes),
                                         size=len(aip_bytes), object_id=f"vanban-aip-{closed.file_code}")
    process = processes.create_process(actor=users["a_admin"], agency=a, name=f"Quy trình {MARK}", from_template=True)
    process_version = process.versions.get()
    ids.update({
        "process": process.pk, "process_version": process_version.pk,
        "notification": office.specialist.notifications.order_by("pk").first().pk,
        "process_step": process_version.steps.last().pk, "process_transition": process_version.transitions.last().pk,
        "draft": draft.pk, "submitted": submitted.pk, "approved": approved.pk, "issued": issued.pk,
        "incoming": arrived.pk, "assignment": assignment.pk, "document_file": draft.current_files()[0].pk,
        "issued_file": issued.current_files()[0].pk,
        "dossier": dossier.pk, "closed_dossier": closed.pk, "dossier_file": item_file.pk, "item": item.pk,
        "catalog_entry": entries["02.TH"].pk, "transfer": transfer.pk, "user": users["a_other_specialist"].pk,
        "package": uuid.UUID(answer.json()["id"]), "endpoint": Endpoint.objects.get(name="qlvb-a").pk,
        "year": 2026, "agency_code": a.code, "unknown_code": "ZZZZ0000ZZZZ",
        "vxp_operation": "getEdoc", "agency_claim": claim.pk, "unit": unit.pk, "unit_membership": placed.pk,
        "export_format": "xlsx", "scan_ocr": scan_job.pk, "digitisation": batch.pk, "unit_task": unit_task.pk,
        "delegation": delegation.pk, "consultation_request": consulted.requests.get().pk,
        "deadline_rule": deadlines.set_rule(actor=users["a_admin"], agency=a, document_type=None, urgency="flash",
                                            working_days=1).pk,
        "destruction_review": review.pk, "quarantined": held.pk, "archival_package": aip.pk,
        "refused": RefusedPackage.objects.get(endpoint__name="qlvb-a").pk,
    })
    secrets = [MARK]
    for doc in Document.objects.filter(agency=a):
        secrets.append(doc.subject)
        if doc.notation:
            secrets.append(doc.notation)
        if doc.identifier_code:
            secrets.append(doc.identifier_code)
    secrets += [dossier.title, dossier.file_code, closed.file_code, str(ids["package"]), package_doc_id,
                held.edxml_document_id]
    return World(a=a, b=b, users=users, ids=ids, secrets=sorted(set(secrets)),
                 hub_tokens={"a": tokens[a.code], "b": tokens[b.code]},
                 api_tokens={"a": api_token, "b": api_token_b})
