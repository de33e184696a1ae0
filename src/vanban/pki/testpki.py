"""A throwaway PKI shaped like the government one, for tests and the demo.

root CA → issuing CA "for state agencies" → end-entity certificates for an agency seal,
a person (leader, with position), a system (edXML envelopes) and a TSA. Revocation is
answered by a CRL per CA and an OCSP responder (`vanban.pki.testserver` serves both and
an RFC 3161 TSA over HTTP on 127.0.0.1). Revocations carry a chosen time so "revoked
before signing" and "revoked after signing" can both be tested.

EVERY KEY HERE IS THROWAWAY TEST MATERIAL: subjects say so ("KHÔNG DÙNG THẬT").
Where the agency code goes: the QCVN 102 code (`000.00.00.H16`) is the subject's
OU (organizationalUnitName); `identity.py` also accepts it in UID.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TypedDict, Unpack

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509 import ocsp
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from vanban.core.agency_code import parse_agency_code
from vanban.core.text import nfc

__all__ = ["Issued", "PrivateKey", "TestPki"]

PrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey
TEST_MARK = "KHÔNG DÙNG THẬT"


@dataclass
class Issued:
    """A certificate with its key; `kind` is ca, seal, person, system or tsa."""

    name: str
    kind: str
    cert: x509.Certificate
    key: PrivateKey
    chain: list[x509.Certificate] = field(default_factory=list)  # issuer first, root last

    def pkcs12(self, password: bytes | None = None) -> bytes:
        enc = (serialization.BestAvailableEncryption(password) if password
               else serialization.NoEncryption())
        return pkcs12.serialize_key_and_certificates(
            self.name.encode(), self.key, self.cert, self.chain or None, enc)

    def cert_pem(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.PEM)

    def key_pem(self) -> bytes:
        return self.key.private_bytes(serialization.Encoding.PEM,
                                      serialization.PrivateFormat.PKCS8,
                                      serialization.NoEncryption())


class _IssueOptions(TypedDict, total=False):
    """What the issue_* methods pass on to `_issue`."""

    not_before: datetime | None
    not_after: datetime | None
    revocation_info: bool


@dataclass
class _Revocation:
    at: datetime
    reason: x509.ReasonFlags


class TestPki:
    """Certificates, revocations, CRLs and OCSP answers, all in memory.

    `base_url` is where `testserver.PkiServer` answers (`/crl/root.crl`, `/crl/ca.crl`,
    `/ocsp`, `/tsa`); it is written into certificates, so bind the server first.
    `clock` is the PKI's "now" for CRLs, OCSP answers and timestamps: tests move it.
    """

    __test__ = False  # not a pytest class despite the name

    def __init__(self, *, base_url: str = "http://127.0.0.1:8790", prefix: str = "VANBAN TEST",
                 key_size: int = 2048, clock: Callable[[], datetime] | None = None,
                 now: datetime | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.prefix = prefix
        self.key_size = key_size
        self.clock: Callable[[], datetime] = clock or (lambda: datetime.now(UTC))
        self._start = (now or self.clock()).astimezone(UTC).replace(microsecond=0)
        self.revoked: dict[int, _Revocation] = {}
        self.issued: dict[int, Issued] = {}
        self.root = self._make_ca(f"{prefix} Root CA — {TEST_MARK}", None,
                                  self._start - timedelta(days=3650),
                                  self._start + timedelta(days=3650 * 2))
        self.ca = self._make_ca(f"{prefix} CA cho cơ quan nhà nước — {TEST_MARK}", self.root,
                                self._start - timedelta(days=1825),
                                self._start + timedelta(days=3650))

    # ----- issuing ---------------------------------------------------------------------
    def issue_seal(self, agency_name: str, agency_code: str, **kw: Unpack[_IssueOptions]) -> Issued:
        """The agency's own certificate: its signature stands for the seal."""
        code = str(parse_agency_code(agency_code))
        subject = [(NameOID.COMMON_NAME, agency_name), (NameOID.ORGANIZATION_NAME, agency_name),
                   (NameOID.ORGANIZATIONAL_UNIT_NAME, code)]
        return self._issue(f"seal-{code}", "seal", subject, **kw)

    def issue_person(self, full_name: str, position: str, agency_name: str,
                     agency_code: str | None = None, *, name: str | None = None,
                     **kw: Unpack[_IssueOptions]) -> Issued:
        """A person's certificate: the position is in `title`."""
        subject = [(NameOID.COMMON_NAME, full_name), (NameOID.TITLE, position),
                   (NameOID.ORGANIZATION_NAME, agency_name)]
        if agency_code:
            subject.append((NameOID.ORGANIZATIONAL_UNIT_NAME, str(parse_agency_code(agency_code))))
        name = name or f"person-{len(self.issued) + 1}"
        return self._issue(str(name), "person", subject, **kw)

    def issue_system(self, system_name: str, agency_name: str, agency_code: str,
                     **kw: Unpack[_IssueOptions]) -> Issued:
        """A system's certificate, for signing edXML envelopes."""
        code = str(parse_agency_code(agency_code))
        subject = [(NameOID.COMMON_NAME, system_name), (NameOID.ORGANIZATION_NAME, agency_name),
                   (NameOID.ORGANIZATIONAL_UNIT_NAME, code)]
        return self._issue(f"system-{code}", "system", subject, **kw)

    def issue_tsa(self, **kw: Unpack[_IssueOptions]) -> Issued:
        subject = [(NameOID.COMMON_NAME, f"{self.prefix} TSA — {TEST_MARK}"),
                   (NameOID.ORGANIZATION_NAME, "vanban test PKI")]
        return self._issue("tsa", "tsa", subject, **kw)

    def revoke(self, cert: x509.Certificate, at: datetime,
               reason: x509.ReasonFlags = x509.ReasonFlags.key_compromise) -> None:
        """Record a revocation effective at `at` (CRLs and OCSP answers show it from then)."""
        self.revoked[cert.serial_number] = _Revocation(at.astimezone(UTC), reason)

    def anchors_pem(self) -> bytes:
        return self.root.cert_pem()

    def chain_pem(self) -> bytes:
        return self.ca.cert_pem() + self.root.cert_pem()

    # ----- revocation answers ----------------------------------------------------------
    def crl(self, issuer: str = "ca", this_update: datetime | None = None) -> bytes:
        """DER CRL of `issuer` ("ca" or "root") listing revocations effective by then."""
        ca = self.ca if issuer == "ca" else self.root
        now = (this_update or self.clock()).astimezone(UTC).replace(microsecond=0)
        builder = (x509.CertificateRevocationListBuilder()
                   .issuer_name(ca.cert.subject)
                   .last_update(now)
                   .next_update(now + timedelta(days=7))
                   .add_extension(x509.CRLNumber(int(now.timestamp())), critical=False)
                   .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
                       ca.key.public_key()), critical=False))
        for serial, rev in self.revoked.items():
            issued = self.issued.get(serial)
            if issued is None or issued.cert.issuer != ca.cert.subject or rev.at > now:
                continue
            entry = (x509.RevokedCertificateBuilder().serial_number(serial)
                     .revocation_date(rev.at)
                     .add_extension(x509.CRLReason(rev.reason), critical=False).build())
            builder = builder.add_revoked_certificate(entry)
        return builder.sign(ca.key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)

    def ocsp_response(self, request_der: bytes) -> bytes:
        """Answer a DER OCSP request; the issuing CA signs its own answers (RFC 6960 §4.2.2.2)."""
        try:
            req = ocsp.load_der_ocsp_request(request_der)
        except ValueError:
            return ocsp.OCSPResponseBuilder.build_unsuccessful(
                ocsp.OCSPResponseStatus.MALFORMED_REQUEST).public_bytes(serialization.Encoding.DER)
        issued = self.issued.get(req.serial_number)
        if issued is None or issued.cert.issuer != self.ca.cert.subject:
            return ocsp.OCSPResponseBuilder.build_unsuccessful(
                ocsp.OCSPResponseStatus.UNAUTHORIZED).public_bytes(serialization.Encoding.DER)
        now = self.clock().astimezone(UTC).replace(microsecond=0)
        rev = self.revoked.get(req.serial_number)
        if rev is not None and rev.at <= now:
            status, rev_at, rev_reason = ocsp.OCSPCertStatus.REVOKED, rev.at, rev.reason
        else:
            status, rev_at, rev_reason = ocsp.OCSPCertStatus.GOOD, None, None
        builder = (ocsp.OCSPResponseBuilder()
                   .add_response(cert=issued.cert, issuer=self.ca.cert,
                                 algorithm=req.hash_algorithm, cert_status=status,
                                 this_update=now, next_update=now + timedelta(days=1),
                                 revocation_time=rev_at, revocation_reason=rev_reason)
                   .responder_id(ocsp.OCSPResponderEncoding.HASH, self.ca.cert))
        for ext in req.extensions:
            if isinstance(ext.value, x509.OCSPNonce):
                builder = builder.add_extension(ext.value, critical=False)
        return builder.sign(self.ca.key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)

    # ----- internals -------------------------------------------------------------------
    def _new_key(self) -> PrivateKey:
        return rsa.generate_private_key(public_exponent=65537, key_size=self.key_size)

    def _make_ca(self, cn: str, parent: Issued | None, not_before: datetime,
                 not_after: datetime) -> Issued:
        key = self._new_key()
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, nfc(cn)),
                          x509.NameAttribute(NameOID.ORGANIZATION_NAME, "vanban test PKI")])
        issuer_name = parent.cert.subject if parent else name
        signing_key = parent.key if parent else key
        builder = (x509.CertificateBuilder().subject_name(name).issuer_name(issuer_name)
                   .public_key(key.public_key()).serial_number(x509.random_serial_number())
                   .not_valid_before(not_before).not_valid_after(not_after)
                   .add_extension(x509.BasicConstraints(ca=True, path_length=None if parent is None
                                                        else 0), critical=True)
                   .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False,
                                                key_encipherment=False, data_encipherment=False,
                                                key_agreement=False, key_cert_sign=True,
                                                crl_sign=True, encipher_only=False,
                                                decipher_only=False), critical=True)
                   .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()),
                                  critical=False))
        if parent is not None:
            builder = (builder
                       .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
                           parent.key.public_key()), critical=False)
                       .add_extension(self._crl_dp("root"), critical=False))
        cert = builder.sign(signing_key, hashes.SHA256())
        chain = [] if parent is None else [parent.cert, *parent.chain]
        issued = Issued("root-ca" if parent is None else "issuing-ca", "ca", cert, key, chain)
        self.issued[cert.serial_number] = issued
        return issued

    def _crl_dp(self, which: str) -> x509.CRLDistributionPoints:
        return x509.CRLDistributionPoints([x509.DistributionPoint(
            full_name=[x509.UniformResourceIdentifier(f"{self.base_url}/crl/{which}.crl")],
            relative_name=None, reasons=None, crl_issuer=None)])

    def _issue(self, name: str, kind: str, subject: list[tuple[x509.ObjectIdentifier, str]], *,
               not_before: datetime | None = None, not_after: datetime | None = None,
               revocation_info: bool = True) -> Issued:
        key = self._new_key()
        not_before = not_before or self._start - timedelta(days=1)
        not_after = not_after or self._start + timedelta(days=730)
        subj = x509.Name([x509.NameAttribute(oid, nfc(value)) for oid, value in subject])
        builder = (x509.CertificateBuilder().subject_name(subj).issuer_name(self.ca.cert.subject)
                   .public_key(key.public_key()).serial_number(x509.random_serial_number())
                   .not_valid_before(not_before).not_valid_after(not_after)
                   .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
                   .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True,
                                                key_encipherment=False, data_encipherment=False,
                                                key_agreement=False, key_cert_sign=False,
                                                crl_sign=False, encipher_only=False,
                                                decipher_only=False), critical=True)
                   .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()),
                                  critical=False)
                   .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
                       self.ca.key.public_key()), critical=False))
        if kind == "tsa":
            builder = builder.add_extension(
                x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
        if revocation_info:
            builder = (builder.add_extension(self._crl_dp("ca"), critical=False)
                       .add_extension(x509.AuthorityInformationAccess([x509.AccessDescription(
                           x509.oid.AuthorityInformationAccessOID.OCSP,
                           x509.UniformResourceIdentifier(f"{self.base_url}/ocsp"))]),
                           critical=False))
        cert = builder.sign(self.ca.key, hashes.SHA256())
        issued = Issued(name, kind, cert, key, [self.ca.cert, self.root.cert])
        self.issued[cert.serial_number] = issued
        return issued
