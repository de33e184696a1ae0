"""Trust anchors: scoped (province-wide or an agency's own), province-wide ones approved by
a second hub operator, every change audited and listed on the trust page."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from tests.factories import make_user
from vanban.audit.models import AuditEvent
from vanban.pki import KeyHoldingSigner, sign_pdf, validate_pdf
from vanban.pki.samplepdf import make_pdf
from vanban.pki.testpki import TestPki
from vanban.trust import services
from vanban.trust.models import Credential, TrustAnchor

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def pki() -> TestPki:
    return TestPki(prefix="TRUST")


@pytest.fixture(autouse=True)
def _offline(settings) -> None:
    settings.VANBAN_REVOCATION_FETCH = False  # revocation has its own tests (test_revocation)


def _signer(issued):
    return KeyHoldingSigner(issued.key, issued.cert, issued.chain)


def _upload(pki: TestPki, scope: str = "agency") -> dict:
    return {"certificate": SimpleUploadedFile("root.pem", pki.root.cert_pem()), "scope": scope}


def test_agency_anchor_counts_only_for_that_agency(pki: TestPki, office, other_office) -> None:
    seal = pki.issue_seal("Văn phòng UBND tỉnh", office.code)
    signed = sign_pdf(make_pdf(), _signer(seal), role="seal")
    assert validate_pdf(signed, services.trust_store(office)).verdict == "indeterminate"
    added = services.add_anchors(actor="test", agency=office, data=pki.root.cert_pem())
    assert [(a.is_ca, a.scope, a.status) for a in added] == [(True, "agency", "active")]
    assert validate_pdf(signed, services.trust_store(office)).verdict == "valid"
    # neither the province nor another agency trusts it
    assert validate_pdf(signed, services.trust_store()).verdict == "indeterminate"
    assert validate_pdf(signed, services.trust_store(other_office)).verdict == "indeterminate"
    at = signed.index(b"QUYET DINH")  # page content, covered by the signature
    tampered = signed[:at] + b"X" + signed[at + 1:]
    assert validate_pdf(tampered, services.trust_store(office)).verdict == "invalid"


def test_admin_upload_is_for_own_agency_only(client: Client, office, pki: TestPki) -> None:
    client.force_login(make_user(office, "agency_admin"))
    assert client.post(reverse("trust_anchors"), _upload(pki)).status_code == 302
    anchor = TrustAnchor.objects.get()
    assert (anchor.scope, anchor.agency, anchor.status) == ("agency", office, "active")
    assert "TRUST Root CA" in anchor.subject
    html = client.get(reverse("trust_anchors")).content.decode()
    assert anchor.fingerprint in html and "Riêng Văn phòng" in html
    assert "Thêm (có hiệu lực)" in html  # the history table
    assert AuditEvent.objects.filter(action="trust.anchor_added", object_id=str(anchor.pk),
                                     agency_code=office.code).exists()
    again = client.post(reverse("trust_anchors"), _upload(pki))
    assert again.status_code == 302
    assert TrustAnchor.objects.count() == 1


def test_agency_admin_cannot_make_a_ca_trusted_province_wide(client: Client, office, pki: TestPki) -> None:
    client.force_login(make_user(office, "agency_admin"))
    response = client.post(reverse("trust_anchors"), _upload(pki, "province"))
    assert response.status_code == 403
    assert TrustAnchor.objects.count() == 0
    with pytest.raises(services.TrustError) as info:
        services.add_anchors(actor=make_user(office, "agency_admin"), agency=None, data=pki.root.cert_pem())
    assert info.value.code == "TRUST_FORBIDDEN"
    assert TrustAnchor.objects.count() == 0


def test_province_anchor_needs_a_second_operator(client: Client, office, pki: TestPki) -> None:
    first, second = make_user(office, "hub_operator"), make_user(office, "hub_operator")
    client.force_login(first)
    assert client.post(reverse("trust_anchors"), _upload(pki, "province")).status_code == 302
    anchor = TrustAnchor.objects.get()
    assert (anchor.scope, anchor.status, anchor.agency) == ("province", "pending", None)
    assert len(services.trust_store()) == 0  # pending counts for nobody
    # the requester cannot approve it
    client.post(reverse("trust_anchors"), {"action": "approve", "anchor": anchor.pk})
    anchor.refresh_from_db()
    assert anchor.status == "pending"
    with pytest.raises(services.TrustError) as info:
        services.approve_anchor(actor=first, anchor_id=anchor.pk)
    assert info.value.code == "TRUST_SAME_PERSON"
    # nor can an agency admin
    with pytest.raises(services.TrustError):
        services.approve_anchor(actor=make_user(office, "agency_admin"), anchor_id=anchor.pk)
    client.force_login(second)
    html = client.get(reverse("trust_anchors")).content.decode()
    assert "Chờ phê duyệt" in html and 'value="approve"' in html
    assert client.post(reverse("trust_anchors"), {"action": "approve", "anchor": anchor.pk}).status_code == 302
    anchor.refresh_from_db()
    assert (anchor.status, anchor.decided_by) == ("active", second)
    assert len(services.trust_store()) == 1 and len(services.trust_store(office)) == 1
    actions = list(AuditEvent.objects.filter(object_id=str(anchor.pk), object_type__icontains="anchor")
                   .order_by("at", "id").values_list("action", "actor_id"))
    assert actions == [("trust.anchor_requested", first.pk), ("trust.anchor_approved", second.pk)]
    html = client.get(reverse("trust_anchors")).content.decode()
    assert "Đề nghị thêm cho toàn tỉnh" in html and "Phê duyệt" in html


def test_rejected_and_removed_anchors_stop_counting(office, other_office, pki: TestPki) -> None:
    first, second = make_user(office, "hub_operator"), make_user(office, "hub_operator")
    [row] = services.add_anchors(actor=first, agency=None, data=pki.root.cert_pem())
    services.approve_anchor(actor=second, anchor_id=row.pk, approve=False)
    assert TrustAnchor.objects.get().status == "rejected" and len(services.trust_store()) == 0
    [own] = services.add_anchors(actor="test", agency=office, data=pki.root.cert_pem())
    with pytest.raises(services.TrustError) as info:  # another agency's admin
        services.remove_anchor(actor=make_user(other_office, "agency_admin"), anchor_id=own.pk,
                               agency=other_office)
    assert info.value.code == "TRUST_FORBIDDEN"
    assert len(services.trust_store(office)) == 1
    services.remove_anchor(actor=make_user(office, "agency_admin"), anchor_id=own.pk, agency=office)
    assert len(services.trust_store(office)) == 0
    assert AuditEvent.objects.filter(action="trust.anchor_removed", object_id=str(own.pk)).exists()
    assert TrustAnchor.objects.count() == 2  # rows stay, as evidence


def test_garbage_upload_is_refused(client: Client, office) -> None:
    client.force_login(make_user(office, "agency_admin"))
    response = client.post(reverse("trust_anchors"),
                           {"certificate": SimpleUploadedFile("x.pem", b"not a certificate"), "scope": "agency"})
    assert response.status_code == 200
    assert "không phải chứng thư số X.509" in response.content.decode()
    assert TrustAnchor.objects.count() == 0


def test_clerk_is_forbidden_and_nothing_changes(client: Client, office, pki: TestPki) -> None:
    client.force_login(make_user(office, "clerk"))
    assert client.get(reverse("trust_anchors")).status_code == 403
    assert client.post(reverse("trust_anchors"), _upload(pki)).status_code == 403
    assert TrustAnchor.objects.count() == 0


def test_credentials_sign_with_a_cached_signer(office, pki: TestPki) -> None:
    seal = pki.issue_seal("Văn phòng UBND tỉnh", office.code)
    cred = services.register_credential(actor="test", agency=office, kind=Credential.Kind.SEAL,
                                        p12=seal.pkcs12(b"pw"), password="pw")
    assert services.credential_for(office, "seal") == cred
    signer = services.signer_for(cred)
    assert signer is services.signer_for(cred)
    assert signer.certificate.serial_number == seal.cert.serial_number
    with pytest.raises(Exception) as info:
        services.register_credential(actor="test", agency=office, kind="seal",
                                     p12=seal.pkcs12(b"pw"), password="wrong")
    assert getattr(info.value, "code", "") == "PKI_BAD_P12"
    assert Credential.objects.count() == 1


def test_a_registered_key_is_parsed_once_for_registering_and_signing(office, pki: TestPki,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """Each PKCS#12 parse costs ~45 ms of RSA key checking; registration checked the upload,
    and the stored copy opens with the same key and chain without another parse."""
    from cryptography.hazmat.primitives.serialization import pkcs12

    from vanban.pki import signer as pki_signer

    seal = pki.issue_seal("Văn phòng UBND tỉnh", office.code)
    parsed: list[int] = []
    real = pkcs12.load_key_and_certificates

    def counting(data: bytes, password: bytes | None, *args: object) -> object:
        parsed.append(len(data))
        return real(data, password, *args)

    monkeypatch.setattr(pki_signer.pkcs12, "load_key_and_certificates", counting)
    monkeypatch.setattr(services.pkcs12, "load_key_and_certificates", counting)
    cred = services.register_credential(actor="test", agency=office, kind=Credential.Kind.SEAL,
                                        p12=seal.pkcs12(b"pw"), password="pw")
    signed = sign_pdf(make_pdf("QUYET DINH"), services.signer_for(cred), role="seal")
    key, chain_pem = services.key_and_chain_pem(cred)
    assert len(parsed) == 1
    assert b"%PDF" in signed[:8] and key.public_key().public_numbers() == seal.cert.public_key().public_numbers()
    assert chain_pem.count(b"BEGIN CERTIFICATE") == 2  # the seal and the issuing CA, not the root
    # the stored copy is a real PKCS#12 under the sealed password: another process opens it
    from vanban.blobs import get_store

    stored = real(get_store().get(cred.p12_sha256), cred.p12_password.encode())
    assert stored[1] is not None and stored[1].serial_number == seal.cert.serial_number


def test_incoming_check_uses_the_sole_recipients_own_anchors(pki: TestPki, office, other_office) -> None:
    """An agency's own CA counts when a package is for that agency alone, never when the
    package (and its shared report) also goes to another agency here."""
    from tests.hub.packages import document
    from vanban import edxml
    from vanban.exchange.verification import verify_document

    make_user(office, "clerk")  # both agencies are served by this installation
    make_user(other_office, "clerk")
    sender_code = "000.00.09.H16"
    system = pki.issue_system("Hệ thống gửi", "Sở gửi", sender_code)
    seal = pki.issue_seal("Sở gửi", sender_code)
    signed = sign_pdf(make_pdf(), _signer(seal), role="seal")

    class Sender:
        code, key, cert = sender_code, system.key, system.cert

    def checks(*to: str) -> dict[str, bool]:
        data, _doc_id = document(Sender, *to, attachment=signed)  # type: ignore[arg-type]
        return {c.code: c.ok for c in verify_document(edxml.parse_package(data), data).checks}

    services.add_anchors(actor="test", agency=office, data=pki.root.cert_pem() + pki.ca.cert_pem())
    alone = checks(office.code)
    assert alone["ENVELOPE_SIGNATURE"] and alone["PDF_SIGNATURES"]
    shared = checks(office.code, other_office.code)
    assert not shared["ENVELOPE_SIGNATURE"] and not shared["PDF_SIGNATURES"]
    other = checks(other_office.code)
    assert not other["ENVELOPE_SIGNATURE"] and not other["PDF_SIGNATURES"]
