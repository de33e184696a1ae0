"""Enveloped XML-DSig over the whole package, placed in `edXMLHeader/Signature`.

Signing: RSA-SHA256, exclusive c14n, one Reference with URI="" and the enveloped
transform, so the header and every attachment's base64 are covered.
Verifying: only against the certificates the caller trusts (never a public CA store);
the package returned comes from the verifier's signed bytes, not from the input.

Real packages (docs/edxml.md, "Signatures in the real ecosystem") carry the signature as
VNPT's EdXML102 model writes it back: `<Signature>` unprefixed in the edXML namespace, the
value still computed over the XML-DSig form; many name the reference transform
`http://www.w3.org/TR/xml-exc-c14n#`; a hub on the way may append TraceHeaders after signing.
All three are read here; nothing else is relaxed.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

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

__all__ = ["EXC_C14N_VARIANT", "VerifyResult", "load_certificates", "load_private_key",
           "sign_package", "signature_certificates", "verify_package"]

_HUGE_FROM = 8 * 1024 * 1024  # above this a base64 text node may pass libxml2's 10 MB cap
_C14N_TRANSFORMS = frozenset(m.value for m in CanonicalizationMethod)
_ENVELOPED = "http://www.w3.org/2000/09/xmldsig#enveloped-signature"
_EXC_C14N = CanonicalizationMethod.EXCLUSIVE_XML_CANONICALIZATION_1_0.value
# What VNPT's SDK sample code writes for exclusive c14n (not a W3C URI); read as exclusive c14n.
EXC_C14N_VARIANT = "http://www.w3.org/TR/xml-exc-c14n#"
_SIG_NAMESPACES = (DSIG_NS, EDXML_NS, "")
# Hubs on the way each append one TraceHeader; each retry verifies the whole package again, so a
# package cannot make us verify it once per TraceHeader it carries.
_MAX_TRACE_SET_ASIDE = 4
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
    # TraceHeader OrganIds appended after signing (by hubs on the way): outside the signature
    trace_added_after_signing: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()


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
    # signxml's sign() has no parser argument; its class body declares `_parser = None`.
    signer._parser = safe_parser(huge=True, keep_comments=True)  # type: ignore[assignment]
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
    cover the whole package. A signature that only fails because TraceHeaders were appended
    after it was made is valid, with those headers named in `trace_added_after_signing`.
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
    notes: list[str] = []
    if _as_dsig_signature(root):
        notes.append("Phần tử <Signature> nằm trong không gian tên edXML (như thư viện EdXML102 của "
                     "VNPT ghi lại); đã kiểm tra theo dạng XML-DSig gốc")
    outcome = _verify_against(root, trusted, limits)
    added: list[str] = []
    if outcome.code == "EDXML_SIGNATURE_INVALID":  # the digest: maybe a hub appended trace entries
        trimmed = root
        while len(_trace_headers(trimmed)) > 1 and len(added) < _MAX_TRACE_SET_ASIDE:
            trimmed, organ = _without_last_trace_header(trimmed)
            added.insert(0, organ)
            retry = _verify_against(trimmed, trusted, limits)
            if retry.valid:
                notes.append(f"{len(added)} mục TraceHeader ({', '.join(added)}) được thêm sau khi ký "
                             "(do trục chuyển tiếp), nằm ngoài phần được ký")
                outcome = retry
                break
        else:
            added = []
    if not outcome.valid:
        return outcome
    return VerifyResult(True, signer=outcome.signer, algorithm=outcome.algorithm,
                        certificate=outcome.certificate, package=outcome.package,
                        trace_added_after_signing=tuple(added), notes=tuple(notes))


class _EcosystemVerifier(XMLVerifier):
    """signxml's verifier, reading VNPT's exclusive-c14n URI as exclusive c14n (signxml would
    skip an unknown transform and silently apply inclusive c14n instead)."""

    def _apply_transforms(self, payload: Any, *, transforms_node: Any, signature: Any) -> Any:
        if transforms_node is not None and any(
                t.get("Algorithm") == EXC_C14N_VARIANT for t in transforms_node):
            transforms_node = etree.fromstring(etree.tostring(transforms_node))
            for transform in transforms_node:
                if transform.get("Algorithm") == EXC_C14N_VARIANT:
                    transform.set("Algorithm", _EXC_C14N)
        return super()._apply_transforms(payload, transforms_node=transforms_node, signature=signature)


def _verify_against(root: etree._Element, trusted: list[x509.Certificate], limits: Limits) -> VerifyResult:
    digest_failure: str | None = None
    last: str | None = None
    for cert in trusted:
        verifier = _EcosystemVerifier()
        try:
            # verify() sets the parser it re-reads transformed payloads with (a huge text node
            # is an attachment's base64): setting `_parser` before the call was overwritten.
            verified = verifier.verify(root, x509_cert=cert, expect_config=_VERIFY_CONFIG,
                                       parser=safe_parser(huge=True, keep_comments=True))
        except InvalidDigest as exc:
            digest_failure = str(exc)
            continue
        except InvalidCertificate as exc:
            last = f"Chứng thư số không dùng được tại thời điểm kiểm tra: {exc}"
            continue
        except (InvalidSignature, InvalidInput) as exc:
            last = str(exc)
            continue
        except etree.DocumentInvalid as exc:  # the same for every certificate
            return VerifyResult(
                False, code="EDXML_SIGNATURE_INVALID",
                reason=f"Phần <Signature> không đúng cấu trúc XML-DSig, không kiểm tra được: {exc}")
        # One expected reference (_VERIFY_CONFIG): signxml returns one result, not a list.
        result = verified[0] if isinstance(verified, list) else verified
        signed_root = result.signed_xml
        if signed_root is not None and _local(signed_root) != "edXML":
            return VerifyResult(False, code="EDXML_SIGNATURE_SCOPE",
                                reason="Phần được ký không phải toàn bộ gói tin <edXML>")
        try:  # what the signature covers, read from the verifier's output only
            package: ParsedPackage | None = parse_package(
                result.signed_data, strict=False, limits=limits)
        except EdxmlError:
            package = None
        method = result.signature_xml.find(f"{{{DSIG_NS}}}SignedInfo/{{{DSIG_NS}}}SignatureMethod")
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


def _signatures(root: etree._Element) -> list[etree._Element]:
    return [el for el in root.iter() if _local(el) == "Signature"]


def _ns(el: etree._Element) -> str:
    return etree.QName(el).namespace or ""


def _as_dsig_signature(root: etree._Element) -> bool:
    """Put an edXML-namespace `<Signature>` back in the XML-DSig namespace, in place.

    VNPT's model re-creates the element unprefixed (so in the edXML default namespace) while
    the SignatureValue was computed over `<SignedInfo xmlns="…xmldsig#">`: proven on the real
    2019 package, whose value verifies over exactly that form (docs/edxml.md). The enveloped
    transform removes the element, so the reference digest does not depend on this."""
    [sig] = _signatures(root)
    if _ns(sig) == DSIG_NS:
        return False
    parent = sig.getparent()
    assert parent is not None
    copy = _copy_into_dsig(sig, None)
    copy.tail = sig.tail
    parent.replace(sig, copy)
    return True


def _copy_into_dsig(el: etree._Element, parent: etree._Element | None) -> etree._Element:
    if parent is None:
        new = etree.Element(f"{{{DSIG_NS}}}{_local(el)}", nsmap={None: DSIG_NS})
    else:
        new = etree.SubElement(parent, f"{{{DSIG_NS}}}{_local(el)}")
    for name, value in el.attrib.items():
        new.set(name, value)
    new.text = el.text
    for child in el:
        if isinstance(child.tag, str):
            _copy_into_dsig(child, new).tail = child.tail
        else:  # comments and processing instructions stay where they were
            clone = _clone_node(child)
            clone.tail = child.tail
            new.append(clone)
    return new


def _clone_node(node: Any) -> Any:
    if isinstance(node, etree._Comment):
        return etree.Comment(node.text)
    return etree.ProcessingInstruction(node.target, node.text)


def _trace_headers(root: etree._Element) -> list[etree._Element]:
    return [el for el in root.iter() if _local(el) == "TraceHeader"
            and (parent := el.getparent()) is not None and _local(parent) == "TraceHeaderList"]


def _without_last_trace_header(root: etree._Element) -> tuple[etree._Element, str]:
    """A copy without the last TraceHeader, laid out as before a hub appended it."""
    copy = etree.fromstring(etree.tostring(root), safe_parser(huge=True, keep_comments=True))
    last = _trace_headers(copy)[-1]
    organ = next(((c.text or "").strip() for c in last if _local(c) == "OrganId"), "")
    prev = last.getprevious()
    if prev is not None:
        prev.tail = last.tail
    parent = last.getparent()
    assert parent is not None
    parent.remove(last)
    return copy, organ or "?"


def signature_certificates(data: PackageBytes, *, limits: Limits | None = None) -> list[x509.Certificate]:
    """The readable certificates in the package's `<Signature>` (either namespace), signer first.

    Placeholders such as VNPT's sample `MIIFqTCCBJG` are not certificates and are skipped."""
    limits = limits or DEFAULT_LIMITS
    gate(data, limits)
    root = _full_tree(data, limits)
    out: list[x509.Certificate] = []
    for sig in _signatures(root):
        if _ns(sig) not in _SIG_NAMESPACES:
            continue
        for el in sig.iter():
            if _local(el) != "X509Certificate":
                continue
            try:
                out.append(x509.load_der_x509_certificate(base64.b64decode("".join((el.text or "").split()))))
            except (ValueError, binascii.Error):
                continue
    return out


def _scope_problem(root: etree._Element) -> tuple[str, str] | None:
    """One XML-DSig signature in edXMLHeader, one Reference URI="" with harmless transforms."""
    sigs = _signatures(root)
    if not sigs:
        return "EDXML_SIGNATURE_MISSING", "Gói tin không có chữ ký số (<Signature>)"
    ours = [el for el in sigs if _ns(el) in _SIG_NAMESPACES]
    if not ours:
        return ("EDXML_SIGNATURE_INVALID",
                "Phần tử <Signature> không thuộc không gian tên XML-DSig hay edXML, không kiểm tra được")
    if len(sigs) > 1:
        return "EDXML_SIGNATURE_INVALID", f"Gói tin có {len(sigs)} phần tử <Signature>, chỉ chấp nhận một"
    sig = ours[0]
    ns = _ns(sig)
    parent = sig.getparent()
    if parent is None or _local(parent) != "edXMLHeader":
        return "EDXML_SIGNATURE_SCOPE", "Chữ ký phải nằm trong <edXMLHeader>"
    refs = sig.findall(f"{{{ns}}}SignedInfo/{{{ns}}}Reference")
    if len(refs) != 1:
        return "EDXML_SIGNATURE_SCOPE", f"Chữ ký có {len(refs)} Reference, cần đúng một với URI=\"\""
    if refs[0].get("URI") != "":
        return ("EDXML_SIGNATURE_SCOPE",
                f"Reference URI='{refs[0].get('URI')}' chỉ bao phủ một phần gói tin, cần URI=\"\"")
    for transform in refs[0].iter(f"{{{ns}}}Transform"):
        algorithm = transform.get("Algorithm", "")
        if algorithm not in (_ENVELOPED, EXC_C14N_VARIANT) and algorithm not in _C14N_TRANSFORMS:
            return ("EDXML_SIGNATURE_SCOPE",
                    f"Phép biến đổi '{algorithm}' có thể loại bỏ nội dung khỏi phần được ký")
    if root.tag != f"{{{EDXML_NS}}}edXML" and _local(root) != "edXML":
        return "EDXML_SIGNATURE_SCOPE", "Phần tử gốc không phải <edXML>"
    return None


def trusted_subjects(certs: Sequence[x509.Certificate]) -> list[str]:
    return [c.subject.rfc4514_string() for c in certs]
