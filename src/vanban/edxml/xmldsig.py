"""The two XML-DSig engines behind `verify_package`: python-xmlsec where it imports, signxml always.

xmlsec (libxmlsec1, C) is the fast path: it checks the tree in place, without signxml's
re-serialising and re-parsing. It only ever *accepts* what signxml would accept too: it is
handed the one trusted certificate's public key (never the package's KeyInfo, never a CA
store), only when that certificate is valid now (signxml's rule), and only for the c14n,
digest and signature algorithms signxml's configuration accepts. Anything else — and every
refusal — goes to signxml, whose exceptions say *which* part failed (the digest: maybe a hub
appended TraceHeaders; SignedInfo: wrong certificate), so the verdicts and their reasons are
the same with or without xmlsec.

xmlsec's wheel links its own libxml2, which must be the one lxml links (lxml 6.1.3 and
xmlsec 1.3.17 both carry libxml2 2.14.6, pinned together in pyproject.toml); on a mismatch
`import xmlsec` fails and signxml does everything (`XMLSEC_UNAVAILABLE` says why).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from types import ModuleType
from typing import Any, Literal

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from lxml import etree
from signxml import (
    CanonicalizationMethod,
    DigestAlgorithm,
    SignatureConfiguration,
    SignatureMethod,
    XMLVerifier,
)
from signxml.exceptions import InvalidCertificate, InvalidDigest, InvalidInput, InvalidSignature

from vanban.edxml.ns import DSIG_NS
from vanban.edxml.safety import safe_parser

__all__ = ["BACKENDS", "EXC_C14N_VARIANT", "XMLSEC_UNAVAILABLE", "Backend", "Outcome",
           "default_backend", "verify_tree", "xmlsec_accepts"]

Backend = Literal["xmlsec", "signxml"]
BACKENDS: tuple[Backend, ...] = ("xmlsec", "signxml")

_EXC_C14N = CanonicalizationMethod.EXCLUSIVE_XML_CANONICALIZATION_1_0.value
# What VNPT's SDK sample code writes for exclusive c14n (not a W3C URI); read as exclusive c14n.
EXC_C14N_VARIANT = "http://www.w3.org/TR/xml-exc-c14n#"
_ENVELOPED = "http://www.w3.org/2000/09/xmldsig#enveloped-signature"
# SHA-1 is still what the national reference samples carry; accepted on verify, never written.
_VERIFY_CONFIG = SignatureConfiguration(
    signature_methods=frozenset(SignatureMethod),
    digest_algorithms=frozenset(DigestAlgorithm),
    ignore_ambiguous_key_info=True,
)
_XMLSEC_C14N = frozenset(m.value for m in CanonicalizationMethod)
_XMLSEC_DIGESTS = frozenset(m.value for m in DigestAlgorithm)
_XMLSEC_SIGNATURES = frozenset(m.value for m in SignatureMethod if m.name.startswith("RSA_"))


def _load_xmlsec() -> tuple[ModuleType | None, str]:
    try:
        import xmlsec  # noqa: PLC0415 - guarded: xmlsec fails on a libxml2 mismatch, signxml is the fallback
    except Exception as exc:  # ImportError, or xmlsec.InternalError on a libxml2 mismatch
        return None, f"{type(exc).__name__}: {exc}"
    return xmlsec, ""


_XMLSEC, XMLSEC_UNAVAILABLE = _load_xmlsec()


def default_backend() -> Backend:
    """xmlsec when it imported, else signxml."""
    return "xmlsec" if _XMLSEC is not None else "signxml"


@dataclass(frozen=True, slots=True)
class Outcome:
    """One engine's verdict on a tree: the certificate that verified, or why none did."""

    valid: bool
    code: str | None = None
    reason: str | None = None
    certificate: x509.Certificate | None = None
    algorithm: str | None = None


def verify_tree(root: etree._Element, trusted: list[x509.Certificate], backend: Backend) -> Outcome:
    """Check the one signature in `root` (already scope-checked) against `trusted` only."""
    if backend == "xmlsec" and _XMLSEC is not None and _xmlsec_suits(root):
        with _without_key_info(root):
            cert = next((c for c in trusted if _xmlsec_verifies(root, c)), None)
        if cert is not None:
            return Outcome(True, certificate=cert, algorithm=_signature_method(root))
    return _signxml_verify(root, trusted)


@contextmanager
def _without_key_info(root: etree._Element) -> Iterator[None]:
    """KeyInfo set aside while xmlsec verifies: the key is the trusted certificate's, and xmlsec
    would still decode the embedded certificate on every call (a quarter of its time on a 5 KB
    package). Neither digest covers it: the enveloped transform drops the whole Signature and
    SignatureValue covers SignedInfo only. Put back as it was, for signxml and the caller."""
    sig = _signature(root)
    key_info = None if sig is None else sig.find(f"{{{DSIG_NS}}}KeyInfo")
    if sig is None or key_info is None:
        yield
        return
    index = sig.index(key_info)
    sig.remove(key_info)
    try:
        yield
    finally:
        sig.insert(index, key_info)


def _signature(root: etree._Element) -> etree._Element | None:
    return next(root.iter(f"{{{DSIG_NS}}}Signature"), None)


def _signature_method(root: etree._Element) -> str | None:
    sig = _signature(root)
    method = None if sig is None else sig.find(f"{{{DSIG_NS}}}SignedInfo/{{{DSIG_NS}}}SignatureMethod")
    return method.get("Algorithm") if method is not None else None


def _xmlsec_suits(root: etree._Element) -> bool:
    """Only what signxml accepts: a `<Signature>` valid under the XML-DSig schema (signxml
    refuses, say, a malformed X509Certificate even though the key comes from elsewhere), the
    algorithms of signxml's configuration, and not VNPT's non-W3C c14n URI (unknown to xmlsec,
    and it must not be rewritten inside SignedInfo)."""
    sig = _signature(root)
    info = None if sig is None else sig.find(f"{{{DSIG_NS}}}SignedInfo")
    if sig is None or info is None:
        return False
    c14n = info.find(f"{{{DSIG_NS}}}CanonicalizationMethod")
    method = info.find(f"{{{DSIG_NS}}}SignatureMethod")
    digests = info.findall(f"{{{DSIG_NS}}}Reference/{{{DSIG_NS}}}DigestMethod")
    transforms = info.findall(f"{{{DSIG_NS}}}Reference/{{{DSIG_NS}}}Transforms/{{{DSIG_NS}}}Transform")
    if not (c14n is not None and c14n.get("Algorithm") in _XMLSEC_C14N
            and method is not None and method.get("Algorithm") in _XMLSEC_SIGNATURES
            and len(digests) == 1 and digests[0].get("Algorithm") in _XMLSEC_DIGESTS
            and all(t.get("Algorithm") in _XMLSEC_C14N or t.get("Algorithm") == _ENVELOPED
                    for t in transforms)):
        return False
    try:
        _EcosystemVerifier().validate_schema(sig)
    except etree.DocumentInvalid:
        return False
    return True


def xmlsec_accepts(root: etree._Element, cert: x509.Certificate) -> bool:
    """True only when xmlsec itself verifies the signature with this certificate's key; False
    for every refusal, including "not for xmlsec" (signxml then decides and explains)."""
    return _XMLSEC is not None and _xmlsec_suits(root) and _xmlsec_verifies(root, cert)


def _xmlsec_verifies(root: etree._Element, cert: x509.Certificate) -> bool:
    xmlsec = _XMLSEC
    sig = _signature(root)
    if xmlsec is None or sig is None or not _valid_now(cert):
        return False
    key = _xmlsec_key(cert)
    if key is None:
        return False
    ctx = xmlsec.SignatureContext()
    ctx.key = key
    try:
        ctx.verify(sig)
    except xmlsec.Error:
        return False
    return True


@lru_cache(maxsize=256)
def _xmlsec_key(cert: x509.Certificate) -> Any:
    """The certificate's public key alone, loaded once per certificate: a key carrying the
    whole certificate costs xmlsec a copy of it on every verification."""
    xmlsec = _XMLSEC
    assert xmlsec is not None
    pem = cert.public_key().public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)
    try:
        return xmlsec.Key.from_memory(pem, xmlsec.KeyFormat.PEM, None)
    except xmlsec.Error:
        return None


def _valid_now(cert: x509.Certificate) -> bool:
    now = dt.datetime.now(dt.UTC)
    return cert.not_valid_before_utc <= now <= cert.not_valid_after_utc


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


def _local(el: etree._Element) -> str:
    return el.tag.rpartition("}")[2] if isinstance(el.tag, str) else ""


def _signxml_verify(root: etree._Element, trusted: list[x509.Certificate]) -> Outcome:
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
            return Outcome(
                False, code="EDXML_SIGNATURE_INVALID",
                reason=f"Phần <Signature> không đúng cấu trúc XML-DSig, không kiểm tra được: {exc}")
        except etree.C14NError as exc:  # a relative namespace URI (found by fuzzing): same for every certificate
            return Outcome(
                False, code="EDXML_SIGNATURE_INVALID",
                reason=f"Không chuẩn hóa (C14N) được phần được ký, không kiểm tra được chữ ký: {exc}")
        # One expected reference (_VERIFY_CONFIG): signxml returns one result, not a list.
        result = verified[0] if isinstance(verified, list) else verified
        signed_root = result.signed_xml
        if signed_root is not None and _local(signed_root) != "edXML":
            return Outcome(False, code="EDXML_SIGNATURE_SCOPE",
                           reason="Phần được ký không phải toàn bộ gói tin <edXML>")
        method = result.signature_xml.find(f"{{{DSIG_NS}}}SignedInfo/{{{DSIG_NS}}}SignatureMethod")
        return Outcome(True, certificate=cert,
                       algorithm=method.get("Algorithm") if method is not None else None)
    if digest_failure is not None:
        return Outcome(
            False, code="EDXML_SIGNATURE_INVALID",
            reason="Nội dung gói tin đã bị thay đổi sau khi ký (sai giá trị băm DigestValue)")
    return Outcome(
        False, code="EDXML_SIGNATURE_UNTRUSTED",
        reason="Chữ ký không khớp với chứng thư số tin cậy nào (sai chứng thư, hoặc phần "
               f"SignedInfo đã bị sửa){': ' + last if last else ''}")
