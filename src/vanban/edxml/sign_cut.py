"""Signing the gate's tree in place: the counterpart of `xmldsig.verify_cut`.

`sign_package` used to put every attachment's base64 back into the tree and hand it to
signxml, which canonicalises and copies the whole document (a sending worker's most costly
step after storing). Here the small tree whose bodies were cut out is canonicalised, each body
is hashed straight from the received bytes where its placeholder stands, and the bodies are
spliced back into the serialised bytes. RSA PKCS#1 v1.5 is deterministic, so the bytes are
exactly signxml's for the same input and key (`tests/edxml/test_sign_cut.py` holds both to
that); anything this path does not take (a body that is not plain base64, a key that is not
RSA) is left to signxml, unchanged.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.serialization import Encoding
from lxml import etree
from signxml import CanonicalizationMethod, DigestAlgorithm, SignatureMethod
from signxml.algorithms import SignatureConstructionMethod

from vanban.edxml.errors import EdxmlError
from vanban.edxml.ns import DSIG_NS
from vanban.edxml.safety import Skeleton, body_text, placed_bodies
from vanban.edxml.xmldsig import canonical_without, digest_with_bodies

__all__ = ["sign_cut"]

# The algorithms `sign_package` has always written, by signxml's own names for them.
_EXC_C14N = CanonicalizationMethod.EXCLUSIVE_XML_CANONICALIZATION_1_0.value
_RSA_SHA256 = SignatureMethod.RSA_SHA256.value
_SHA256 = DigestAlgorithm.SHA256.value
_ENVELOPED = SignatureConstructionMethod.enveloped.value
_DS = f"{{{DSIG_NS}}}"


def sign_cut(root: etree._Element, skeleton: Skeleton, signature: etree._Element,
             key: rsa.RSAPrivateKey, certs: Sequence[x509.Certificate]) -> bytes | None:
    """The signed package, from `root` (the gate's tree, old signatures already removed) with
    the empty `signature` element in place; None when a body cannot be placed (the caller
    signs the whole tree, `signature` still empty)."""
    placed = placed_bodies(root, skeleton)
    if placed is None or not isinstance(key, rsa.RSAPrivateKey):
        return None
    for el, index in placed:
        if not skeleton.slices[index].length:
            el.text = None  # an empty body: written `<…/>`, as serialising the whole tree does
    indexes = [index for _, index in placed if skeleton.slices[index].length]
    canonical = canonical_without(root, signature, exclusive=True)  # the enveloped transform
    digest = digest_with_bodies(canonical, skeleton, indexes, "sha256")
    if digest is None:  # a placeholder not standing once, as a whole text: never seen
        return None
    signed_info = etree.SubElement(signature, f"{_DS}SignedInfo")
    etree.SubElement(signed_info, f"{_DS}CanonicalizationMethod", Algorithm=_EXC_C14N)
    etree.SubElement(signed_info, f"{_DS}SignatureMethod", Algorithm=_RSA_SHA256)
    reference = etree.SubElement(signed_info, f"{_DS}Reference", URI="")
    transforms = etree.SubElement(reference, f"{_DS}Transforms")
    etree.SubElement(transforms, f"{_DS}Transform", Algorithm=_ENVELOPED)
    etree.SubElement(transforms, f"{_DS}Transform", Algorithm=_EXC_C14N)
    etree.SubElement(reference, f"{_DS}DigestMethod", Algorithm=_SHA256)
    etree.SubElement(reference, f"{_DS}DigestValue").text = base64.b64encode(digest).decode("ascii")
    signed = etree.tostring(signed_info, method="c14n", exclusive=True, with_comments=False)
    try:
        value = key.sign(signed, padding.PKCS1v15(), hashes.SHA256())
    except ValueError as exc:  # signxml's path said the same
        raise EdxmlError("EDXML_BAD_KEY", f"Không ký được gói tin: {exc}") from None
    etree.SubElement(signature, f"{_DS}SignatureValue").text = base64.b64encode(value).decode("ascii")
    key_info = etree.SubElement(signature, f"{_DS}KeyInfo")
    x509_data = etree.SubElement(key_info, f"{_DS}X509Data")
    for cert in certs:
        etree.SubElement(x509_data, f"{_DS}X509Certificate").text = _pem_body(cert)
    return _with_bodies(etree.tostring(root, encoding="UTF-8"), skeleton, indexes)


def _pem_body(cert: x509.Certificate) -> str:
    """The certificate as signxml writes it: the PEM text between its armour lines, 64
    characters a line, a line break after the last."""
    lines = cert.public_bytes(Encoding.PEM).decode("ascii").splitlines(keepends=True)
    return "".join(lines[1:-1])


def _with_bodies(xml: bytes, skeleton: Skeleton, indexes: list[int]) -> bytes:
    """`xml` with each placeholder replaced by its body as the parser read it (CR LF and lone
    CR as LF: what serialising the whole tree writes). Each stands once, in order, as a whole
    text: `digest_with_bodies` checked the same on the canonical form. A body without CR is
    joined straight from the received buffer, so the output is the only copy made of it."""
    parts: list[bytes | memoryview] = [b'<?xml version="1.0" encoding="UTF-8"?>\n']
    views: list[memoryview] = []
    try:
        pos = 0
        for index in indexes:
            marker = skeleton.marker(index)
            at = xml.find(marker, pos)
            if at < 0:
                raise AssertionError("a placeholder of the canonical form is missing from the serialised tree")
            parts.append(xml[pos:at])
            source = skeleton.slices[index]
            if source.buffer.find(b"\r", source.start, source.end) < 0:
                views.append(memoryview(source.buffer)[source.start : source.end])  # type: ignore[arg-type]  # bytes or mmap
                parts.append(views[-1])
            else:
                parts.append(body_text(source))
            pos = at + len(marker)
        parts.append(xml[pos:])
        return b"".join(parts)
    finally:
        for view in views:
            view.release()
