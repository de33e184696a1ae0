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

One parse per package: `read_package` runs the safety gate once (attachment bodies cut out),
reads the model from that tree, and verification puts the bodies back into the same tree
rather than parsing the package again; the engines are in `xmldsig.py` (python-xmlsec where
it imports, signxml otherwise and to explain every refusal), and verdicts are cached by the
package's SHA-256 (`cache.py`).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import load_pem_private_key
from lxml import etree
from signxml import CanonicalizationMethod, DigestAlgorithm, SignatureMethod, SignatureReference, XMLSigner
from signxml.exceptions import InvalidInput

from vanban.edxml.cache import VERIFICATIONS, VerificationCache
from vanban.edxml.errors import EdxmlError
from vanban.edxml.limits import DEFAULT_LIMITS, Limits
from vanban.edxml.ns import DSIG_NS, EDXML_NS
from vanban.edxml.parse import PackageBytes, gate, read_tree, text_of
from vanban.edxml.result import ParsedPackage
from vanban.edxml.safety import Skeleton, fill_bodies, parse_xml, safe_parser
from vanban.edxml.sign_cut import sign_cut
from vanban.edxml.xmldsig import EXC_C14N_VARIANT, Backend, default_backend, verify_cut, verify_tree

__all__ = ["EXC_C14N_VARIANT", "PackageRead", "VerifyResult", "load_certificates", "load_private_key",
           "read_package", "sign_package", "signature_certificates", "verify_package"]

_HUGE_FROM = 8 * 1024 * 1024  # above this a base64 text node may pass libxml2's 10 MB cap
_C14N_TRANSFORMS = frozenset(m.value for m in CanonicalizationMethod)
_ENVELOPED = "http://www.w3.org/2000/09/xmldsig#enveloped-signature"
_SIG_NAMESPACES = (DSIG_NS, EDXML_NS, "")
# Hubs on the way each append one TraceHeader; each retry verifies the whole package again, so a
# package cannot make us verify it once per TraceHeader it carries.
_MAX_TRACE_SET_ASIDE = 4


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
    skeleton, tree = gate(data, limits, keep_comments=True)
    read_tree(tree, skeleton, strict=False, limits=limits)  # refuse unreadable packages before signing
    if not isinstance(key, rsa.RSAPrivateKey):
        key = load_private_key(key)
    certs = [cert] if isinstance(cert, x509.Certificate) else load_certificates(cert)
    if not certs:
        raise EdxmlError("EDXML_BAD_KEY", "Tệp chứng thư số không chứa chứng thư nào")
    signature = _empty_signature(tree)
    try:
        signed = sign_cut(tree, skeleton, signature, key, certs)
    except etree.C14NError as exc:  # a relative namespace URI: signxml fails on it the same way
        raise EdxmlError("EDXML_MALFORMED", f"Không chuẩn hóa (C14N) được gói tin để ký: {exc}") from None
    if signed is not None:
        return signed
    # A body that is not plain base64 (or a key sign_cut does not take): the whole tree, signxml.
    root = _whole_tree(data, skeleton, tree, limits)
    if root is not tree:
        signature = _empty_signature(root)
    signature.set("Id", "placeholder")
    signer = _WholePackageSigner(
        signature_algorithm=SignatureMethod.RSA_SHA256,
        digest_algorithm=DigestAlgorithm.SHA256,
        c14n_algorithm=CanonicalizationMethod.EXCLUSIVE_XML_CANONICALIZATION_1_0,
    )
    # signxml types namespaces as dict[str, str]; lxml takes the None key as the default namespace
    signer.namespaces = {None: DSIG_NS}  # type: ignore[dict-item]
    # signxml's sign() has no parser argument; its class body declares `_parser = None`, so mypy
    # types the attribute as None.
    signer._parser = safe_parser(huge=True, keep_comments=True)  # type: ignore[assignment]
    try:
        signed_root = signer.sign(root, key=key, cert=certs)
    except (InvalidInput, ValueError) as exc:
        raise EdxmlError("EDXML_BAD_KEY", f"Không ký được gói tin: {exc}") from None
    except etree.C14NError as exc:
        raise EdxmlError("EDXML_MALFORMED", f"Không chuẩn hóa (C14N) được gói tin để ký: {exc}") from None
    except etree.XMLSyntaxError as exc:  # signxml re-reads the tree as text; see xmldsig._signxml_verify
        raise EdxmlError("EDXML_MALFORMED",
                         f"Không ký được gói tin: thư viện ký không đọc lại được nó ({exc})") from None
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + etree.tostring(signed_root, encoding="UTF-8")


class _WholePackageSigner(XMLSigner):
    """signxml, with the one Reference always `URI=""`: signxml alone names the root's `Id` (or
    `ID`) attribute when it has one, a reference that covers less than the package in general,
    and that `verify_package` refuses (EDXML_SIGNATURE_SCOPE)."""

    def _unpack(self, data: Any, references: Any) -> Any:
        sig_root, doc_root, c14n_inputs, _ = super()._unpack(data, references)
        return sig_root, doc_root, c14n_inputs, [SignatureReference(URI="")]


def _empty_signature(root: etree._Element) -> etree._Element:
    """Every old `Signature` removed and an empty XML-DSig one put last in the header, on the
    line of its own that the element before it had."""
    header = _header(root)
    for old in list(root.iter("{*}Signature")):  # any namespace or none
        if old.getparent() is not None:
            _remove_keep_tail(old)
    signature = etree.SubElement(header, f"{{{DSIG_NS}}}Signature", nsmap={None: DSIG_NS})
    if len(header) > 1:
        prev = header[len(header) - 2]
        signature.tail = prev.tail
        prev.tail = header.text or "\n"
    return signature


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
    backend: Backend | None = None,
) -> VerifyResult:
    """Check the one signature against the trusted certificates only.

    Raises EdxmlError when the input is not a readable package (the caller's exit 2);
    returns VerifyResult(valid=False, ...) when the signature is absent, wrong, or does not
    cover the whole package. A signature that only fails because TraceHeaders were appended
    after it was made is valid, with those headers named in `trace_added_after_signing`.
    One parse: `package` is read (leniently) from the tree the signature was checked on.
    Not cached: `read_package(...).verify()` is the cached way.
    """
    read = _open(data, limits or DEFAULT_LIMITS, strict=False, model_required=False,
                 backend=backend)
    return read.verify_uncached(trusted_certs)


def read_package(
    data: PackageBytes,
    *,
    strict: bool = True,
    limits: Limits | None = None,
    backend: Backend | None = None,
) -> PackageRead:
    """Parse once (`parsed` as `parse_package` gives it); verify later on the same tree.

    Raises EdxmlError as `parse_package` does."""
    return _open(data, limits or DEFAULT_LIMITS, strict=strict, model_required=True, backend=backend)


def _open(data: PackageBytes, limits: Limits, *, strict: bool, model_required: bool,
          backend: Backend | None) -> PackageRead:
    skeleton, root = gate(data, limits, keep_comments=True)
    parsed: ParsedPackage | None = None
    try:
        parsed = read_tree(root, skeleton, strict=strict, limits=limits)
    except EdxmlError:
        if model_required:
            raise
    return PackageRead(parsed, data, skeleton=skeleton, root=root, limits=limits,
                       backend=backend or default_backend())


class PackageRead:
    """One package parsed once: its model, its embedded certificates and its verification
    share the gate's tree; verdicts are cached by SHA-256 (`cache.VERIFICATIONS`).

    `parsed` is None only from `verify_package` on a package whose model cannot be read
    (the signature is still checked: a changed byte is a bad signature, not a bad zip)."""

    def __init__(self, parsed: ParsedPackage | None, data: PackageBytes, *, skeleton: Skeleton,
                 root: etree._Element, limits: Limits, backend: Backend) -> None:
        self._parsed = parsed
        self._data = data
        self._skeleton = skeleton
        self._root = root
        self._full: etree._Element | None = None
        self._dsig_form: bool | None = None
        self._sha256: str | None = None
        self.limits = limits
        self.backend = backend

    @property
    def parsed(self) -> ParsedPackage:
        assert self._parsed is not None, "read_package always has a model"
        return self._parsed

    @property
    def sha256(self) -> str:
        """SHA-256 of the exact bytes read, computed once, when first asked for."""
        if self._sha256 is None:
            self._sha256 = hashlib.sha256(self._data).hexdigest()
        return self._sha256

    def certificates(self) -> list[x509.Certificate]:
        """The readable certificates in `<Signature>` (either namespace), signer first."""
        return _embedded_certificates(self._root)

    def verify(self, trusted_certs: Iterable[x509.Certificate | bytes | str], *,
               cache: VerificationCache | None = VERIFICATIONS) -> VerifyResult:
        """`verify_package`'s verdict, from the cache when these bytes were checked against
        these certificates before (then without `package`: read `parsed` instead)."""
        trusted = _as_certs(trusted_certs)
        if cache is None:
            return self.verify_uncached(trusted)
        key = (self.sha256, tuple(sorted(_fingerprint(c) for c in trusted)), self.limits)
        return cache.get_or_verify(key, lambda: self.verify_uncached(trusted))

    def verify_uncached(self, trusted_certs: Iterable[x509.Certificate | bytes | str]) -> VerifyResult:
        trusted = _as_certs(trusted_certs)
        problem = _scope_problem(self._root)
        if problem is not None:
            return VerifyResult(False, code=problem[0], reason=problem[1])
        if not trusted:
            return VerifyResult(False, code="EDXML_SIGNATURE_UNTRUSTED",
                                reason="Không có chứng thư số tin cậy nào để kiểm tra")
        tree = self._dsig_tree()
        notes: list[str] = []
        if self._dsig_form:
            notes.append("Phần tử <Signature> nằm trong không gian tên edXML (như thư viện EdXML102 của "
                         "VNPT ghi lại); đã kiểm tra theo dạng XML-DSig gốc")
        if self.backend == "lxml" and tree is not self._full:
            outcome = verify_cut(tree, self._skeleton, trusted)
            if outcome is not None and outcome.certificate is not None:
                return VerifyResult(True, signer=_subject(outcome.certificate), algorithm=outcome.algorithm,
                                    certificate=outcome.certificate, package=self._parsed,
                                    notes=tuple(notes))
        root = self._full_tree()
        outcome = verify_tree(root, trusted, self.backend)
        package = self._parsed
        added: list[str] = []
        if outcome.code == "EDXML_SIGNATURE_INVALID":  # the digest: maybe a hub appended trace entries
            trimmed = root
            while len(_trace_headers(trimmed)) > 1 and len(added) < _MAX_TRACE_SET_ASIDE:
                trimmed, organ = _without_last_trace_header(trimmed)
                added.insert(0, organ)
                retry = verify_tree(trimmed, trusted, self.backend)
                if retry.valid:
                    notes.append(f"{len(added)} mục TraceHeader ({', '.join(added)}) được thêm sau khi "
                                 "ký (do trục chuyển tiếp), nằm ngoài phần được ký")
                    outcome = retry
                    package = self._model_of(trimmed)
                    break
            else:
                added = []
        if not outcome.valid:
            return VerifyResult(False, code=outcome.code, reason=outcome.reason)
        assert outcome.certificate is not None
        return VerifyResult(True, signer=_subject(outcome.certificate),
                            algorithm=outcome.algorithm, certificate=outcome.certificate,
                            package=package, trace_added_after_signing=tuple(added),
                            notes=tuple(notes))

    def _dsig_tree(self) -> etree._Element:
        """The gate's tree with the signature in its XML-DSig form (put there once)."""
        if self._dsig_form is None:
            self._dsig_form = _as_dsig_signature(self._root)
        return self._root

    def _full_tree(self) -> etree._Element:
        """The whole package as one tree: the gate's tree with the bodies put back (no second
        parse), or — for a body that is not plain base64 — a parse of the whole package, its
        signature put in the XML-DSig form too."""
        if self._full is None:
            tree = self._dsig_tree()
            root = _whole_tree(self._data, self._skeleton, tree, self.limits)
            if root is not tree:
                _as_dsig_signature(root)
            self._full = root
            self._root = root
        return self._full

    def _model_of(self, root: etree._Element) -> ParsedPackage | None:
        """The lenient model of a tree holding the bodies themselves (no placeholders)."""
        try:
            return read_tree(root, self._skeleton, strict=False, limits=self.limits)
        except EdxmlError:
            return None


@lru_cache(maxsize=256)
def _subject(cert: x509.Certificate) -> str:
    return cert.subject.rfc4514_string()


@lru_cache(maxsize=256)
def _fingerprint(cert: x509.Certificate) -> bytes:
    """Part of every cache key: a hub checks each package against the same few certificates."""
    return cert.fingerprint(hashes.SHA256())


def _whole_tree(data: PackageBytes, skeleton: Skeleton, root: etree._Element,
                limits: Limits) -> etree._Element:
    """The gate's tree with the attachment bodies put back (no second parse), or — when a body
    is not plain base64 — the whole package parsed after the gate vetted the same bytes."""
    if fill_bodies(root, skeleton):
        return root
    raw = bytes(data[:]) if not isinstance(data, bytes) else data
    return parse_xml(raw, limits, huge=len(raw) > _HUGE_FROM, keep_comments=True)


def _as_certs(items: Iterable[x509.Certificate | bytes | str]) -> list[x509.Certificate]:
    out: list[x509.Certificate] = []
    for item in items:
        out.extend([item] if isinstance(item, x509.Certificate) else load_certificates(item))
    return out


def _signatures(root: etree._Element) -> list[etree._Element]:
    return list(root.iter("{*}Signature"))


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
    return [el for el in root.iter("{*}TraceHeader")
            if (parent := el.getparent()) is not None and _local(parent) == "TraceHeaderList"]


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
    _, root = gate(data, limits or DEFAULT_LIMITS)
    return _embedded_certificates(root)


def _embedded_certificates(root: etree._Element) -> list[x509.Certificate]:
    out: list[x509.Certificate] = []
    for sig in _signatures(root):
        if _ns(sig) not in _SIG_NAMESPACES:
            continue
        for el in sig.iter("{*}X509Certificate"):
            try:
                out.append(x509.load_der_x509_certificate(base64.b64decode("".join(text_of(el).split()))))
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
