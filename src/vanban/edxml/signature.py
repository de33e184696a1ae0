"""Enveloped XML-DSig over the whole package, placed in `edXMLHeader/Signature`.

Signing: RSA-SHA256, exclusive c14n, one Reference with URI="" and the enveloped
transform, so the header and every attachment's base64 are covered.
Verifying: only against the certificates the caller trusts (never a public CA store);
the package returned comes from the verifier's signed bytes, not from the input.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import load_pem_private_key
from lxml import etree
from signxml import (
    CanonicalizationMethod,
    DigestAlgorithm,
    SignatureConfiguration,
    SignatureMethod,
    XMLSigner,
    XMLVerifier,
)
from signxml.exceptions import InvalidCertificate, InvalidDigest, InvalidInput, InvalidSignature

from vanban.edxml.errors import EdxmlError
from vanban.edxml.limits import DEFAULT_LIMITS, Limits
from vanban.edxml.ns import DSIG_NS, EDXML_NS
from vanban.edxml.parse import PackageBytes, gate, parse_package
from vanban.edxml.result import ParsedPackage
from vanban.edxml.safety import parse_xml, safe_parser

__all__ = ["VerifyResult", "load_certificates", "load_private_key", "sign_package",
           "verify_package"]

_HUGE_FROM = 8 * 1024 * 1024  # above this a base64 text node may pass libxml2's 10 MB cap
_C14N_TRANSFORMS = frozenset(m.value for m in CanonicalizationMethod)
_ENVELOPED = "http://www.w3.org/2000/09/xmldsig#enveloped-signature"
# SHA-1 is still what the national reference samples carry; accepted on verify, never written.
_VERIFY_CONFIG = SignatureConfiguration(
    signature_methods=frozenset(SignatureMethod),
    digest_algorithms=frozenset(DigestAlgorithm),
    ignore_ambiguous_key_info=True,
)


def load_private_key(pem: bytes | str, password: bytes | None = None) -> rsa.RSAPrivateKey:
    """Load once and reuse: signxml is about 50 times slower when handed PEM text."""
    try:
        key = load_pem_private_key(pem.encode() if isinstance(pem, str) else pem, password)
    except (ValueError, TypeError) as exc:
        raise EdxmlError("EDXML_BAD_KEY", f"Không đọc được khóa bí mật PEM: {exc}") from None
    if not isinstance(key, rsa.RSAPrivateKey):
        raise EdxmlError("EDXML_BAD_KEY", "Khóa bí mật phải là khóa RSA")
    return key


def load_certificates(pem: bytes | str) -> list[x509.Certificate]:
    """Every certificate in a PEM file (a chain file holds several)."""
    try:
        certs = x509.load_pem_x509_certificates(pem.encode() if isinstance(pem, str) else pem)
    except ValueError as exc:
        raise EdxmlError("EDXML_BAD_KEY", f"Không đọc được chứng thư số PEM: {exc}") from None
    return list(certs)


@dataclass(frozen=True, slots=True)
class VerifyResult:
    """`valid` with the signer's subject, or the reason (code + Vietnamese text) it is not."""

    valid: bool
    signer: str | None = None
    code: str | None = None
    reason: str | None = None
    algorithm: str | None = None
    certificate: x509.Certificate | None = field(default=None, repr=False)
    package: ParsedPackage | None = field(default=None, repr=False)


def _full_tree(data: PackageBytes, limits: Limits) -> etree._Element:
    """The whole document, parsed only after parse_package has vetted the same bytes."""
    raw = bytes(data[:]) if not isinstance(data, bytes) else data
    return parse_xml(raw, limits, huge=len(raw) > _HUGE_FROM, keep_comments=True)


def _local(el: etree._Element) -> str:
    return el.tag.rpartition("}")[2] if isinstance(el.tag, str) else ""


def _header(root: etree._Element) -> etree._Element:
    for env in root:
        if _local(env) == "edXMLEnvelope":
            for head in env:
                if _local(head) == "edXMLHeader":
                    return head
    raise EdxmlError("EDXML_MISSING_FIELD", "Thiếu <edXMLHeader> để đặt chữ ký", element="edXMLHeader")


def sign_package(
    data: PackageBytes,
    key: rsa.RSAPrivateKey | bytes | str,
    cert: x509.Certificate | bytes | str,
    *,
    limits: Limits | None = None,
) -> bytes:
    """Sign (or re-sign) a package; an existing signature in the header is replaced."""
    limits = limits or DEFAULT_LIMITS
    parse_package(data, strict=False, limits=limits)  # refuse hostile input before full parsing
    if not isinstance(key, rsa.RSAPrivateKey):
        key = load_private_key(key)
    certs = [cert] if isinstance(cert, x509.Certificate) else load_certificates(cert)
    if not certs:
        raise EdxmlError("EDXML_BAD_KEY", "Tệp chứng thư số không chứa chứng thư nào")
    root = _full_tree(data, limits)
    header = _header(root)
    for old in [el for el in root.iter() if _local(el) == "Signature"]:
        parent = old.getparent()
        if parent is not None:
            _remove_keep_tail(old)
    placeholder = etree.SubElement(header, f"{{{DSIG_NS}}}Signature", nsmap={None: DSIG_NS},
                                   Id="placeholder")
    if len(header) > 1:
        prev = header[len(header) - 2]
        placeholder.tail = prev.tail
        prev.tail = header.text or "\n"
    signer = XMLSigner(
        signature_algorithm=SignatureMethod.RSA_SHA256,
        digest_algorithm=DigestAlgorithm.SHA256,
        c14n_algorithm=CanonicalizationMethod.EXCLUSIVE_XML_CANONICALIZATION_1_0,
    )
    signer.namespaces = {None: DSIG_NS}  # type: ignore[dict-item]
    signer._parser = safe_parser(huge=True, keep_comments=True)
    try:
        signed = signer.sign(root, key=key, cert=certs)
    except (InvalidInput, ValueError) as exc:
        raise EdxmlError("EDXML_BAD_KEY", f"Không ký được gói tin: {exc}") from None
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + etree.tostring(signed, encoding="UTF-8")


def _remove_keep_tail(el: etree._Element) -> None:
    parent = el.getparent()
    assert parent is not None
    prev = el.getprevious()
    if el.tail and el.tail.strip():
        if prev is not None:
            prev.tail = (prev.tail or "") + el.tail
        else:
            parent.text = (parent.text or "") + el.tail
    parent.remove(el)


def verify_package(
    data: PackageBytes,
    trusted_certs: Iterable[x509.Certificate | bytes | str],
    *,
    limits: Limits | None = None,
) -> VerifyResult:
    """Check the one signature against the trusted certificates only.

    Raises EdxmlError when the input is not a readable package (the caller's exit 2);
    returns VerifyResult(valid=False, ...) when the signature is absent, wrong, or does not
    cover the whole package.
    """
    limits = limits or DEFAULT_LIMITS
    trusted = _as_certs(trusted_certs)
    gate(data, limits)
    root = _full_tree(data, limits)
    problem = _scope_problem(root)
    if problem is not None:
        return VerifyResult(False, code=problem[0], reason=problem[1])
    if not trusted:
        return VerifyResult(False, code="EDXML_SIGNATURE_UNTRUSTED",
                            reason="Không có chứng thư số tin cậy nào để kiểm tra")
    digest_failure: str | None = None
    last: str | None = None
    for cert in trusted:
        verifier = XMLVerifier()
        verifier._parser = safe_parser(huge=True, keep_comments=True)
        try:
            result = verifier.verify(root, x509_cert=cert, expect_config=_VERIFY_CONFIG)
        except InvalidDigest as exc:
            digest_failure = str(exc)
            continue
        except InvalidCertificate as exc:
            last = f"Chứng thư số không dùng được tại thời điểm kiểm tra: {exc}"
            continue
        except (InvalidSignature, InvalidInput) as exc:
            last = str(exc)
            continue
        signed_root = result.signed_xml  # type: ignore[union-attr]
        if signed_root is not None and _local(signed_root) != "edXML":
            return VerifyResult(False, code="EDXML_SIGNATURE_SCOPE",
                                reason="Phần được ký không phải toàn bộ gói tin <edXML>")
        try:  # what the signature covers, read from the verifier's output only
            package: ParsedPackage | None = parse_package(
                result.signed_data, strict=False, limits=limits)  # type: ignore[union-attr]
        except EdxmlError:
            package = None
        method = result.signature_xml.find(f"{{{DSIG_NS}}}SignedInfo/{{{DSIG_NS}}}SignatureMethod")  # type: ignore[union-attr]
        return VerifyResult(
            True,
            signer=cert.subject.rfc4514_string(),
            algorithm=method.get("Algorithm") if method is not None else None,
            certificate=cert,
            package=package,
        )
    if digest_failure is not None:
        return VerifyResult(
            False, code="EDXML_SIGNATURE_INVALID",
            reason="Nội dung gói tin đã bị thay đổi sau khi ký (sai giá trị băm DigestValue)")
    return VerifyResult(
        False, code="EDXML_SIGNATURE_UNTRUSTED",
        reason="Chữ ký không khớp với chứng thư số tin cậy nào (sai chứng thư, hoặc phần "
               f"SignedInfo đã bị sửa){': ' + last if last else ''}")


def _as_certs(items: Iterable[x509.Certificate | bytes | str]) -> list[x509.Certificate]:
    out: list[x509.Certificate] = []
    for item in items:
        out.extend([item] if isinstance(item, x509.Certificate) else load_certificates(item))
    return out


def _scope_problem(root: etree._Element) -> tuple[str, str] | None:
    """One XML-DSig signature in edXMLHeader, one Reference URI="" with harmless transforms."""
    sigs = [el for el in root.iter() if _local(el) == "Signature"]
    dsig = [el for el in sigs if el.tag == f"{{{DSIG_NS}}}Signature"]
    if not sigs:
        return "EDXML_SIGNATURE_MISSING", "Gói tin không có chữ ký số (<Signature>)"
    if not dsig:
        return ("EDXML_SIGNATURE_INVALID",
                "Phần tử <Signature> không thuộc không gian tên XML-DSig, không kiểm tra được")
    if len(sigs) > 1:
        return "EDXML_SIGNATURE_INVALID", f"Gói tin có {len(sigs)} phần tử <Signature>, chỉ chấp nhận một"
    sig = dsig[0]
    parent = sig.getparent()
    if parent is None or _local(parent) != "edXMLHeader":
        return "EDXML_SIGNATURE_SCOPE", "Chữ ký phải nằm trong <edXMLHeader>"
    refs = sig.findall(f"{{{DSIG_NS}}}SignedInfo/{{{DSIG_NS}}}Reference")
    if len(refs) != 1:
        return "EDXML_SIGNATURE_SCOPE", f"Chữ ký có {len(refs)} Reference, cần đúng một với URI=\"\""
    if refs[0].get("URI") != "":
        return ("EDXML_SIGNATURE_SCOPE",
                f"Reference URI='{refs[0].get('URI')}' chỉ bao phủ một phần gói tin, cần URI=\"\"")
    for transform in refs[0].iter(f"{{{DSIG_NS}}}Transform"):
        algorithm = transform.get("Algorithm", "")
        if algorithm != _ENVELOPED and algorithm not in _C14N_TRANSFORMS:
            return ("EDXML_SIGNATURE_SCOPE",
                    f"Phép biến đổi '{algorithm}' có thể loại bỏ nội dung khỏi phần được ký")
    if root.tag != f"{{{EDXML_NS}}}edXML" and _local(root) != "edXML":
        return "EDXML_SIGNATURE_SCOPE", "Phần tử gốc không phải <edXML>"
    return None


def trusted_subjects(certs: Sequence[x509.Certificate]) -> list[str]:
    return [c.subject.rfc4514_string() for c in certs]
