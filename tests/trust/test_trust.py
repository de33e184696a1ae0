from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from tests.factories import make_user
from vanban.audit.models import AuditEvent
from vanban.pki import sign_pdf, validate_pdf
from vanban.pki.samplepdf import make_pdf
from vanban.pki.testpki import TestPki
from vanban.trust import services
from vanban.trust.models import Credential, TrustAnchor

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def pki() -> TestPki:
    return TestPki(prefix="TRUST")


def test_unknown_ca_is_indeterminate_until_added(pki: TestPki, office) -> None:
    seal = pki.issue_seal("Văn phòng UBND tỉnh", office.code)
    signed = sign_pdf(make_pdf(), _signer(seal), role="seal")
    assert validate_pdf(signed, services.trust_store()).verdict == "indeterminate"
    added = services.add_anchors(actor="test", agency=office, data=pki.root.cert_pem())
    assert [a.is_ca for a in added] == [True]
    report = validate_pdf(signed, services.trust_store())
    assert report.verdict == "valid"
    at = signed.index(b"QUYET DINH")  # page content, covered by the signature
    tampered = signed[:at] + b"X" + signed[at + 1:]
    assert validate_pdf(tampered, services.trust_store()).verdict == "invalid"


def _signer(issued):
    from vanban.pki import KeyHoldingSigner
    return KeyHoldingSigner(issued.key, issued.cert, issued.chain)


def test_upload_page_for_admin(client: Client, office, pki: TestPki) -> None:
    client.force_login(make_user(office, "agency_admin"))
    upload = SimpleUploadedFile("root.pem", pki.root.cert_pem())
    response = client.post(reverse("trust_anchors"), {"certificate": upload})
    assert response.status_code == 302
    anchor = TrustAnchor.objects.get()
    assert "TRUST Root CA" in anchor.subject
    html = client.get(reverse("trust_anchors")).content.decode()
    assert anchor.fingerprint in html
    assert AuditEvent.objects.filter(action="trust.anchor_added", object_id=str(anchor.pk)).exists()
    again = client.post(reverse("trust_anchors"), {"certificate": SimpleUploadedFile("r.pem", pki.root.cert_pem())})
    assert again.status_code == 302
    assert TrustAnchor.objects.count() == 1


def test_garbage_upload_is_refused(client: Client, office) -> None:
    client.force_login(make_user(office, "agency_admin"))
    response = client.post(reverse("trust_anchors"),
                           {"certificate": SimpleUploadedFile("x.pem", b"not a certificate")})
    assert response.status_code == 200
    assert "không phải chứng thư số X.509" in response.content.decode()
    assert TrustAnchor.objects.count() == 0


def test_clerk_is_forbidden_and_nothing_changes(client: Client, office, pki: TestPki) -> None:
    client.force_login(make_user(office, "clerk"))
    assert client.get(reverse("trust_anchors")).status_code == 403
    response = client.post(reverse("trust_anchors"),
                           {"certificate": SimpleUploadedFile("root.pem", pki.root.cert_pem())})
    assert response.status_code == 403
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
