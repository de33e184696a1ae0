"""The leader signs with a key the server never holds: the server prepares, "the token" (here
the holder's key in the test, a real SoftHSM token in tests/e2e/test_token_signing_e2e.py)
signs, the server checks and embeds. And the production default: no personal keys on the
server at all."""

from __future__ import annotations

import base64
import json
from datetime import timedelta

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.serialization import Encoding
from django.test import Client
from django.utils import timezone

from tests.documents.test_workflow import draft
from tests.factories import make_user
from tests.office_fixtures import Office
from vanban.audit.models import AuditEvent
from vanban.blobs import get_store
from vanban.documents.errors import DocumentError
from vanban.documents.models import Document
from vanban.outgoing import device_signing, services
from vanban.outgoing.models import PendingSignature
from vanban.pki import validate_pdf
from vanban.pki.testpki import Issued, TestPki
from vanban.trust import services as trust
from vanban.trust.models import Credential

pytestmark = pytest.mark.django_db


def token_of(office: Office) -> Issued:
    """The leader's token certificate, registered (certificate only) for the leader."""
    issued = office.pki.issue_person("Trần Văn Hùng", "Chủ tịch", office.agency.name, office.agency.code)
    trust.register_device_certificate(actor="test", agency=office.agency, user=office.leader,
                                      data=chain_pem(issued).encode())
    return issued


def chain_pem(issued: Issued) -> str:
    return "".join(c.public_bytes(Encoding.PEM).decode() for c in [issued.cert, *issued.chain])


def token_sign(issued: Issued, to_be_signed_b64: str) -> str:
    data = base64.b64decode(to_be_signed_b64)
    return base64.b64encode(issued.key.sign(data, padding.PKCS1v15(), hashes.SHA256())).decode()


def submitted(office: Office, pdf: bytes) -> Document:
    doc = draft(office, pdf)
    return services.submit_draft(actor=office.specialist, document=doc, approver=office.leader)


def test_token_signature_approves_the_draft(signing_office: Office, pdf_bytes: bytes) -> None:
    o = signing_office
    token = token_of(o)
    doc = submitted(o, pdf_bytes)
    prepared = device_signing.prepare(actor=o.leader, document=doc, certificates_pem=chain_pem(token))
    assert prepared.subject == doc.subject and prepared.signer == "Trần Văn Hùng"
    assert Document.objects.get(pk=doc.pk).main_file().stage == ""  # nothing stored before the token signs
    doc = device_signing.complete(actor=o.leader, document=doc, pending_id=prepared.pending_id,
                                  signature_b64=token_sign(token, prepared.to_be_signed))
    assert doc.state == Document.State.APPROVED
    assert (doc.signer_name, doc.signer_position) == ("Trần Văn Hùng", "Chủ tịch")
    assert list(doc.files.order_by("id").values_list("stage", flat=True)) == ["", "footer", "person"]
    report = validate_pdf(get_store().get(doc.main_file().sha256), trust.trust_store())
    assert report.verdict == "valid", report.as_dict()
    assert report.signatures[0].signer.sha256 == Credential.objects.get(holder="device").fingerprint
    assert PendingSignature.objects.get().state == PendingSignature.State.COMPLETED
    assert AuditEvent.objects.get(action="documents.approved_signed").details == {"key": "device"}
    # The clerk issues it as usual: the seal is added after the token's signature.
    doc = services.issue_document(actor=o.clerk, document=doc)
    assert validate_pdf(get_store().get(doc.main_file().sha256), trust.trust_store()).verdict == "valid"
    with pytest.raises(DocumentError):  # the same pending signature cannot be used twice
        device_signing.complete(actor=o.leader, document=doc, pending_id=prepared.pending_id,
                                signature_b64=token_sign(token, prepared.to_be_signed))


def test_signature_by_another_key_changes_nothing(signing_office: Office, pdf_bytes: bytes) -> None:
    o = signing_office
    token = token_of(o)
    thief = o.pki.issue_person("Trần Văn Hùng", "Chủ tịch", o.agency.name, o.agency.code)
    doc = submitted(o, pdf_bytes)
    prepared = device_signing.prepare(actor=o.leader, document=doc, certificates_pem=chain_pem(token))
    with pytest.raises(DocumentError) as err:
        device_signing.complete(actor=o.leader, document=doc, pending_id=prepared.pending_id,
                                signature_b64=token_sign(thief, prepared.to_be_signed))
    assert err.value.code == "PKI_DEFERRED_MISMATCH"
    doc.refresh_from_db()
    assert doc.state == Document.State.SUBMITTED
    assert doc.files.count() == 1
    assert PendingSignature.objects.get().state == PendingSignature.State.PENDING  # may still be signed
    assert not AuditEvent.objects.filter(action="documents.approved_signed").exists()


def test_unregistered_certificate_is_refused(signing_office: Office, pdf_bytes: bytes) -> None:
    o = signing_office
    token_of(o)
    stranger = o.pki.issue_person("Trần Văn Hùng", "Chủ tịch", o.agency.name, o.agency.code)
    doc = submitted(o, pdf_bytes)
    with pytest.raises(DocumentError) as err:
        device_signing.prepare(actor=o.leader, document=doc, certificates_pem=chain_pem(stranger))
    assert err.value.code == "DEVICE_CERT_NOT_REGISTERED"
    assert not PendingSignature.objects.exists()


def test_certificate_of_an_untrusted_ca_cannot_be_registered(signing_office: Office) -> None:
    o = signing_office
    outside = TestPki(prefix="NGOAI").issue_person("Trần Văn Hùng", "Chủ tịch", o.agency.name, o.agency.code)
    with pytest.raises(trust.TrustError) as err:
        trust.register_device_certificate(actor="test", agency=o.agency, user=o.leader,
                                          data=chain_pem(outside).encode())
    assert err.value.code == "TRUST_CERT_UNTRUSTED"
    assert not Credential.objects.filter(holder="device").exists()


def test_expired_or_superseded_pending_signature_is_refused(signing_office: Office, pdf_bytes: bytes) -> None:
    o = signing_office
    token = token_of(o)
    doc = submitted(o, pdf_bytes)
    first = device_signing.prepare(actor=o.leader, document=doc, certificates_pem=chain_pem(token))
    second = device_signing.prepare(actor=o.leader, document=doc, certificates_pem=chain_pem(token))
    with pytest.raises(DocumentError) as err:
        device_signing.complete(actor=o.leader, document=doc, pending_id=first.pending_id,
                                signature_b64=token_sign(token, first.to_be_signed))
    assert err.value.code == "PENDING_SIGNATURE_GONE"
    PendingSignature.objects.filter(pk=second.pending_id).update(expires_at=timezone.now() - timedelta(seconds=1))
    with pytest.raises(DocumentError) as err:
        device_signing.complete(actor=o.leader, document=doc, pending_id=second.pending_id,
                                signature_b64=token_sign(token, second.to_be_signed))
    assert err.value.code == "PENDING_SIGNATURE_EXPIRED"
    doc.refresh_from_db()
    assert doc.state == Document.State.SUBMITTED and doc.files.count() == 1


def test_json_endpoints(signing_office: Office, pdf_bytes: bytes, client: Client) -> None:
    o = signing_office
    token = token_of(o)
    doc = submitted(o, pdf_bytes)
    prepare_url, complete_url = f"/van-ban-di/{doc.pk}/ky-token/chuan-bi/", f"/van-ban-di/{doc.pk}/ky-token/hoan-tat/"
    client.force_login(o.specialist)  # may see the draft, may not sign it
    answer = client.post(prepare_url, {"certificates": [chain_pem(token)]}, content_type="application/json")
    assert answer.status_code == 403 and answer.json()["error"]["code"]
    client.force_login(o.other_leader)  # another agency: not even found
    assert client.post(prepare_url, {}, content_type="application/json").status_code == 404
    client.force_login(o.leader)
    bad = client.post(prepare_url, b"[1,", content_type="application/json")
    assert (bad.status_code, bad.json()["error"]["code"]) == (400, "BAD_JSON")
    prepared = client.post(prepare_url, {"certificates": [chain_pem(token)]}, content_type="application/json").json()
    done = client.post(complete_url, json.dumps({"pending": prepared["pending"],
                                                 "signature": token_sign(token, prepared["data"])}),
                       content_type="application/json")
    assert done.status_code == 200, done.content
    doc.refresh_from_db()
    assert doc.state == Document.State.APPROVED


def test_production_default_keeps_personal_keys_off_the_server(signing_office: Office, pdf_bytes: bytes,
                                                               client: Client, settings) -> None:
    o = signing_office  # the fixture registered a server key while demo mode was on; now it is off
    settings.VANBAN_SERVER_PERSONAL_KEYS = False
    doc = submitted(o, pdf_bytes)
    with pytest.raises(DocumentError) as err:
        services.approve_and_sign(actor=o.leader, document=doc)
    assert err.value.code == "SERVER_PERSONAL_KEYS_OFF"
    person = o.pki.issue_person("Lê Thị Hoa", "Phó Chủ tịch", o.agency.name, o.agency.code)
    with pytest.raises(trust.TrustError) as terr:
        trust.register_credential(actor="test", agency=o.agency, kind="person", p12=person.pkcs12(b"pw"),
                                  password="pw", user=make_user(o.agency, "leader"))
    assert terr.value.code == "TRUST_SERVER_PERSONAL_KEYS_OFF"
    client.force_login(o.leader)
    page = client.get(f"/van-ban-di/{doc.pk}/").content.decode()
    assert "Ký số bằng token và duyệt" in page
    assert "Chế độ trình diễn" not in page and f'action="/van-ban-di/{doc.pk}/ky-duyet/"' not in page
    assert "http://127.0.0.1:48721" in client.get("/").headers["Content-Security-Policy"]


def test_demo_mode_marks_the_server_key(signing_office: Office, pdf_bytes: bytes, client: Client) -> None:
    doc = submitted(signing_office, pdf_bytes)
    client.force_login(signing_office.leader)
    page = client.get(f"/van-ban-di/{doc.pk}/").content.decode()
    assert "Chế độ trình diễn: khóa cá nhân của lãnh đạo nằm trên máy chủ" in page
    assert "Ký số bằng token và duyệt" in page


@pytest.fixture
def csc_provider(signing_office: Office, settings, tmp_path):
    """A CSC service (tests/pki/cscserver.py, ours) holding the leader's key under the office's CA."""
    from tests.pki.cscserver import CscServer, CscState

    o = signing_office
    issued = o.pki.issue_person("Trần Văn Hùng", "Chủ tịch", o.agency.name, o.agency.code)
    state = CscState(token="tai-khoan-dich-vu", credentials={"hung-01": issued})
    (tmp_path / "csc-token").write_text(state.token + "\n")
    with CscServer(state) as url:
        settings.VANBAN_CSC_URL, settings.VANBAN_CSC_TOKEN_FILE = url, str(tmp_path / "csc-token")
        settings.VANBAN_SERVER_PERSONAL_KEYS = False
        yield state


def test_remote_signature_with_the_phone_code(signing_office: Office, pdf_bytes: bytes, csc_provider,
                                              client: Client) -> None:
    o = signing_office
    row = trust.register_remote_credential(actor="test", agency=o.agency, user=o.leader, credential_id="hung-01")
    assert (row.holder, row.remote_id, row.p12_sha256) == ("remote", "hung-01", "")
    doc = submitted(o, pdf_bytes)
    client.force_login(o.leader)
    page = client.get(f"/van-ban-di/{doc.pk}/").content.decode()
    assert "Ký số từ xa và duyệt" in page and "Chế độ trình diễn" not in page
    wrong = client.post(f"/van-ban-di/{doc.pk}/ky-tu-xa/", {"otp": "999999"}, follow=True)
    assert "Mã xác thực trên ứng dụng không đúng" in wrong.content.decode()
    doc.refresh_from_db()
    assert doc.state == Document.State.SUBMITTED and doc.files.count() == 1
    client.post(f"/van-ban-di/{doc.pk}/ky-tu-xa/", {"otp": csc_provider.otp})
    doc.refresh_from_db()
    assert doc.state == Document.State.APPROVED
    report = validate_pdf(get_store().get(doc.main_file().sha256), trust.trust_store())
    assert report.verdict == "valid" and report.signatures[0].signer.sha256 == row.fingerprint
    assert AuditEvent.objects.get(action="documents.approved_signed").details == {"key": "remote"}


def test_remote_credential_from_an_untrusted_ca_is_refused(signing_office: Office, csc_provider) -> None:
    o = signing_office
    csc_provider.credentials["ngoai"] = TestPki(prefix="NGOAI").issue_person("X", "Y", o.agency.name, o.agency.code)
    with pytest.raises(trust.TrustError) as err:
        trust.register_remote_credential(actor="test", agency=o.agency, user=o.leader, credential_id="ngoai")
    assert err.value.code == "TRUST_CERT_UNTRUSTED"
    with pytest.raises(trust.TrustError) as err:
        trust.register_remote_credential(actor="test", agency=o.agency, user=o.leader, credential_id="khong-co")
    assert err.value.code == "PKI_CSC_ERROR"


def test_certificates_command(signing_office: Office, tmp_path, capsys) -> None:
    from django.core.management import call_command

    o = signing_office
    issued = o.pki.issue_person("Trần Văn Hùng", "Chủ tịch", o.agency.name, o.agency.code)
    (tmp_path / "token.pem").write_text(chain_pem(issued))
    call_command("certificates", "add", str(tmp_path / "token.pem"), "--user", "lanhdao")
    assert "Đã đăng ký chứng thư “Trần Văn Hùng” cho lanhdao" in capsys.readouterr().out
    with pytest.raises(SystemExit) as ended:  # the same certificate twice
        call_command("certificates", "add", str(tmp_path / "token.pem"), "--user", "lanhdao")
    assert ended.value.code == 2 and "TRUST_CERT_EXISTS" in capsys.readouterr().err
    call_command("certificates", "list", "--agency", o.agency.code)
    listed = capsys.readouterr().out
    assert "Khóa trên thiết bị của người ký (token USB)\tlanhdao\tTrần Văn Hùng" in listed
