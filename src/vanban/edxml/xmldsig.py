"""The XML-DSig engines behind `verify_package`: our own check of the cut tree, python-xmlsec
where it imports, signxml always.

`verify_cut` (backend "lxml", the default) is the fast path. It checks the one signature shape
edXML senders use — one Reference URI="" with the enveloped transform, then no c14n or exclusive
or inclusive C14N 1.0, exclusive C14N for SignedInfo, RSA PKCS#1 v1.5 — on the gate's tree,
whose attachment bodies were cut out: lxml canonicalises that small tree, the bodies are hashed
straight from the received bytes where their placeholders stand in the canonical form, and
`cryptography` checks the RSA value over SignedInfo's canonical form. No second tree, no 1 MB
text node, no re-serialising. Like xmlsec below it only ever *accepts*; anything outside that
shape, and every refusal, goes to the next engine (the tree then gets its bodies back), so the
verdicts and their reasons do not change.

xmlsec (libxmlsec1, C) is next: it checks the tree in place, without signxml's
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

import base64
import binascii
import datetime as dt
import hashlib
import hmac
from collections.abc import Iterator
from contextlib import contextmanager
from copy import deepcopy
from dataclasses import dataclass
from functools import lru_cache
from types import ModuleType
from typing import Any, Literal

from cryptography import x509
from cryptography.exceptions import InvalidSignature as RSAMismatch
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
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
from vanban.edxml.payload import EncodedSource
from vanban.edxml.safety import Skeleton, body_text, placed_bodies, safe_parser

__all__ = [
    "BACKENDS",
    "EXC_C14N_VARIANT",
    "XMLSEC_UNAVAILABLE",
    "Backend",
    "Outcome",
    "available_backends",
    "canonical_without",
    "default_backend",
    "digest_with_bodies",
    "tree_backend",
    "verify_cut",
    "verify_tree",
    "xmlsec_accepts",
]

Backend = Literal["lxml", "xmlsec", "signxml"]
BACKENDS: tuple[Backend, ...] = ("lxml", "xmlsec", "signxml")

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
    """"lxml": the cut tree checked in place, then the whole tree by `tree_backend()`."""
    return "lxml"


def tree_backend() -> Backend:
    """The engine for the whole tree: xmlsec when it imported, else signxml."""
    return "xmlsec" if _XMLSEC is not None else "signxml"


def available_backends() -> tuple[Backend, ...]:
    """The engines this process can run (xmlsec only when it imported)."""
    return tuple(b for b in BACKENDS if b != "xmlsec" or _XMLSEC is not None)


@dataclass(frozen=True, slots=True)
class Outcome:
    """One engine's verdict on a tree: the certificate that verified, or why none did."""

    valid: bool
    code: str | None = None
    reason: str | None = None
    certificate: x509.Certificate | None = None
    algorithm: str | None = None


def verify_tree(root: etree._Element, trusted: list[x509.Certificate], backend: Backend) -> Outcome:
    """Check the one signature in `root` (already scope-checked) against `trusted` only.

    `root` holds the attachment bodies; "lxml" means `tree_backend()` here."""
    if backend == "lxml":
        backend = tree_backend()
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
        except etree.XMLSyntaxError as exc:  # signxml re-reads the tree it is given as text, and lxml
            # writes a non-ASCII attribute name it does not read back (found by fuzzing, 07/12/2026)
            return Outcome(
                False, code="EDXML_SIGNATURE_INVALID",
                reason=f"Thư viện kiểm tra chữ ký không đọc lại được gói tin, không kiểm tra được chữ ký: {exc}")
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


# -- the cut tree ("lxml") ------------------------------------------------------------------

_DS = f"{{{DSIG_NS}}}"
_C14N_10 = CanonicalizationMethod.CANONICAL_XML_1_0.value
# The canonical forms lxml computes as xmlsec and signxml both do (no comments): SignedInfo's
# exclusive C14N, and the Reference's after the enveloped transform, exclusive or inclusive C14N
# 1.0 (no c14n transform: inclusive, as both engines read it for a whole document). Not an
# inclusive SignedInfo: xmlsec canonicalises it with the namespaces in scope in the document,
# signxml without them (it re-parses the Signature alone), so they can disagree on it.
_CUT_SIGNED_INFO_C14N = frozenset({_EXC_C14N})
_CUT_REFERENCE_C14N = {_EXC_C14N: True, EXC_C14N_VARIANT: True, _C14N_10: False}
_CUT_RSA: dict[str, type[hashes.HashAlgorithm]] = {
    SignatureMethod.RSA_SHA1.value: hashes.SHA1,
    SignatureMethod.RSA_SHA224.value: hashes.SHA224,
    SignatureMethod.RSA_SHA256.value: hashes.SHA256,
    SignatureMethod.RSA_SHA384.value: hashes.SHA384,
    SignatureMethod.RSA_SHA512.value: hashes.SHA512,
}
_CUT_DIGESTS = {
    DigestAlgorithm.SHA1.value: "sha1",
    DigestAlgorithm.SHA224.value: "sha224",
    DigestAlgorithm.SHA256.value: "sha256",
    DigestAlgorithm.SHA384.value: "sha384",
    DigestAlgorithm.SHA512.value: "sha512",
    DigestAlgorithm.SHA3_224.value: "sha3_224",
    DigestAlgorithm.SHA3_256.value: "sha3_256",
    DigestAlgorithm.SHA3_384.value: "sha3_384",
    DigestAlgorithm.SHA3_512.value: "sha3_512",
}


def verify_cut(root: etree._Element, skeleton: Skeleton, trusted: list[x509.Certificate]) -> Outcome | None:
    """Accept the signature in the gate's tree `root` (attachment bodies cut out, `Signature`
    already scope-checked and in its XML-DSig form) when it verifies against one of `trusted`;
    None for anything else, which the caller hands to `verify_tree` on the whole tree.

    The reference digest is the hash of the tree's canonical form without `Signature`, each
    cut body's placeholder replaced by the body's bytes as the parser reads them: exactly the
    canonical form of the whole package, since a body holds only base64 and white space (which
    canonical text leaves as it is) and is the whole text of its element (`placed_bodies`)."""
    shape = _cut_shape(root)
    if shape is None:
        return None
    placed = placed_bodies(root, skeleton)
    if placed is None:
        return None
    try:  # a relative namespace URI cannot be canonicalised: signxml explains it
        canonical = canonical_without(root, shape.signature, exclusive=shape.reference_exclusive)
        digest = digest_with_bodies(canonical, skeleton, [index for _, index in placed], shape.digest)
        if digest is None or not hmac.compare_digest(digest, shape.digest_value):
            return None
        signed = etree.tostring(shape.signed_info, method="c14n", exclusive=True, with_comments=False)
    except etree.C14NError:
        return None
    for cert in trusted:
        key = cert.public_key()
        if not isinstance(key, rsa.RSAPublicKey) or not _valid_now(cert):
            continue
        try:
            key.verify(shape.signature_value, signed, padding.PKCS1v15(), _CUT_RSA[shape.method]())
        except RSAMismatch:
            continue
        return Outcome(True, certificate=cert, algorithm=shape.method)
    return None


@dataclass(frozen=True, slots=True)
class _Shape:
    signature: etree._Element
    signed_info: etree._Element
    method: str  # the SignatureMethod URI
    digest: str  # hashlib's name
    reference_exclusive: bool
    digest_value: bytes
    signature_value: bytes


def _cut_shape(root: etree._Element) -> _Shape | None:
    """The parts of the one signature shape `verify_cut` checks itself, or None.

    Nothing beside the root element (xmlsec's URI="" covers top-level processing instructions,
    signxml's does not); a `Signature` valid under the XML-DSig schema (signxml's rule), so its
    parts stand in the schema's order; no comment or processing instruction in SignedInfo; no
    parameters (InclusiveNamespaces, HMACOutputLength) on any algorithm; strict base64 values."""
    if root.getprevious() is not None or root.getnext() is not None:
        return None
    signature = _signature(root)
    if signature is None:
        return None
    try:
        _EcosystemVerifier().validate_schema(signature)
    except etree.DocumentInvalid:
        return None
    parts = [el for el in signature if isinstance(el.tag, str)]
    signed_info, value_el = parts[0], parts[1]  # (SignedInfo, SignatureValue, KeyInfo?, Object*)
    if any(not isinstance(node.tag, str) for node in signed_info.iter()):
        return None
    if len(signed_info) != 3:  # one Reference (the scope check said so too)
        return None
    c14n_el, method_el, reference = signed_info
    c14n = c14n_el.get("Algorithm") or ""
    method = method_el.get("Algorithm") or ""
    if (method not in _CUT_RSA or c14n not in _CUT_SIGNED_INFO_C14N or len(c14n_el) or len(method_el)
            or reference.get("URI") != "" or len(reference) != 3):
        return None
    transforms, digest_method, digest_value = reference  # (Transforms?, DigestMethod, DigestValue)
    steps = [t.get("Algorithm") or "" for t in transforms]
    if (not steps or steps[0] != _ENVELOPED or len(steps) > 2 or any(len(t) for t in transforms)
            or (len(steps) == 2 and steps[1] not in _CUT_REFERENCE_C14N) or len(digest_method)):
        return None
    digest = _CUT_DIGESTS.get(digest_method.get("Algorithm") or "")
    if digest is None:
        return None
    expected = _strict_base64(digest_value.text)
    value = None if len(value_el) else _strict_base64(value_el.text)
    if expected is None or value is None:
        return None
    reference_exclusive = len(steps) == 2 and _CUT_REFERENCE_C14N[steps[1]]
    return _Shape(signature, signed_info, method, digest, reference_exclusive,
                  expected, value)


def _strict_base64(text: str | None) -> bytes | None:
    try:
        return base64.b64decode("".join((text or "").split()), validate=True)
    except (binascii.Error, ValueError):
        return None


def canonical_without(root: etree._Element, element: etree._Element, *, exclusive: bool) -> bytes:
    """The canonical form (no comments) of `root`'s tree without `element` — the enveloped
    transform — its tail text left where it was.

    Cut from the canonical form of the whole tree: that holds `element`'s own canonical form
    as one run of bytes, from its start tag to the first end tag of its name after it, and
    the text around it escaped piece by piece, so cutting that run gives exactly the canonical
    form without it (removing an element changes no other element's namespace declarations,
    in inclusive or exclusive C14N). The run is found only when nothing else can look like
    it: no processing instruction in the output (the one kind of node whose `<` is written
    as is; comments are left out, text and attributes escape `<`) and one start tag of
    `element`'s qualified name. Otherwise it is computed on a copy of the tree."""
    node = element.getparent()
    while node is not None and node is not root:
        node = node.getparent()
    if node is None:  # not below root: the copy's walk refuses it
        return _canonical_of_copy(root, element, exclusive=exclusive)
    try:
        canonical = etree.tostring(root, method="c14n", exclusive=exclusive, with_comments=False)
    except etree.C14NError:  # e.g. a relative namespace URI inside the element: the copy drops it
        return _canonical_of_copy(root, element, exclusive=exclusive)
    span = _element_span(canonical, element)
    if span is None:
        return _canonical_of_copy(root, element, exclusive=exclusive)
    start, end = span
    return canonical[:start] + canonical[end:]


def _element_span(canonical: bytes, element: etree._Element) -> tuple[int, int] | None:
    """Where `element` stands in `canonical`, or None when that is not certain."""
    if b"<?" in canonical or not isinstance(element.tag, str):
        return None
    local = element.tag.rpartition("}")[2]
    qname = (f"{element.prefix}:{local}" if element.prefix else local).encode("utf-8")
    opening = b"<" + qname
    start = -1
    at = canonical.find(opening)
    while at >= 0:
        if canonical[at + len(opening) : at + len(opening) + 1] in (b" ", b">"):
            if start >= 0:
                return None  # two elements of that name: which one is ambiguous
            start = at
        at = canonical.find(opening, at + 1)
    if start < 0:
        return None
    closing = b"</" + qname + b">"
    close = canonical.find(closing, start)
    return None if close < 0 else (start, close + len(closing))


def _canonical_of_copy(root: etree._Element, element: etree._Element, *, exclusive: bool) -> bytes:
    """`canonical_without` computed on a copy of the tree: taking the element out of the tree
    itself and putting it back would let lxml rename it by any prefix in scope for its
    namespace (`<ds:Signature>` where it was `<Signature xmlns=…>` under an ancestor declaring
    `xmlns:ds`), which changes SignedInfo's canonical form."""
    path: list[int] = []
    node = element
    while node is not root:
        parent = node.getparent()
        assert parent is not None, "element is not in root's tree"
        path.append(parent.index(node))
        node = parent
    copy = deepcopy(root)
    target = copy
    for index in reversed(path):
        target = target[index]
    parent = target.getparent()
    assert parent is not None
    tail = target.tail
    previous = target.getprevious()
    parent.remove(target)
    if tail:
        if previous is None:
            parent.text = (parent.text or "") + tail
        else:
            previous.tail = (previous.tail or "") + tail
    return etree.tostring(copy, method="c14n", exclusive=exclusive, with_comments=False)


_BODY_STEP = 4 * 1024 * 1024


def _hash_body(hasher: Any, source: EncodedSource) -> None:
    """Feed a cut body to `hasher` as the parser reads it (CR LF and lone CR as LF), straight
    from the received buffer: no copy of a large attachment's base64 is held."""
    buffer, start, end = source.buffer, source.start, source.end
    if buffer.find(b"\r", start, end) < 0:
        with memoryview(buffer) as view:  # type: ignore[arg-type]  # bytes or mmap
            hasher.update(view[start:end])
        return
    carry = b""
    for pos in range(start, end, _BODY_STEP):
        piece = carry + buffer[pos : min(end, pos + _BODY_STEP)]
        carry = b""
        if piece.endswith(b"\r") and pos + _BODY_STEP < end:  # its LF may open the next piece
            piece, carry = piece[:-1], b"\r"
        hasher.update(body_text(EncodedSource(piece, 0, len(piece))))


def digest_with_bodies(canonical: bytes, skeleton: Skeleton, indexes: list[int], name: str) -> bytes | None:
    """The digest of `canonical` with each placeholder replaced by its body, or None when the
    placeholders do not stand once each, in order, as whole texts."""
    if canonical.count(skeleton.marker(0)[:-1]) != len(indexes):
        return None
    hasher = hashlib.new(name)
    view = memoryview(canonical)
    pos = 0
    for index in indexes:
        marker = skeleton.marker(index)
        at = canonical.find(marker, pos)
        end = at + len(marker)
        if at < 0 or canonical[end : end + 2] != b"</":
            return None
        hasher.update(view[pos:at])
        _hash_body(hasher, skeleton.slices[index])
        pos = end
    hasher.update(view[pos:])
    return hasher.digest()
