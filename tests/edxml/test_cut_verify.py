"""The cut-tree engine (backend "lxml", the default; issue 23): the signature is checked on the
gate's tree with the attachment bodies cut out, the bodies hashed from the received bytes where
their placeholders stand in the canonical form. It may only ever *accept*, and only what signxml
accepts too: every refusal is decided (and explained) by xmlsec or signxml on the whole tree."""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import random
import re

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from lxml import etree
from signxml import CanonicalizationMethod, DigestAlgorithm, SignatureMethod, XMLSigner

from vanban.edxml import DSIG_NS, Attachment, EdxmlError, build_package, read_package, sign_package, verify_package
from vanban.edxml import signature as signature_module
from vanban.edxml.safety import safe_parser
from vanban.edxml.xmldsig import available_backends, canonical_without, default_backend

from .samples import took_it

pytestmark = pytest.mark.unit

DS = f"{{{DSIG_NS}}}"
C14N_10 = CanonicalizationMethod.CANONICAL_XML_1_0.value
EXC = CanonicalizationMethod.EXCLUSIVE_XML_CANONICALIZATION_1_0.value


@pytest.fixture
def cut(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """One entry per call of the cut-tree engine: True when it accepted by itself."""
    return took_it(monkeypatch, signature_module, "verify_cut")


@pytest.fixture
def signed(document, agency) -> bytes:
    return sign_package(build_package(document), agency.key, agency.cert)


def _verdict(data: bytes, certs: list, backend: str) -> tuple:
    try:
        result = verify_package(data, certs, backend=backend)
    except EdxmlError as exc:
        return ("error", exc.code)
    return (result.valid, result.code)


def _same_verdict_everywhere(data: bytes, certs: list) -> tuple:
    verdicts = {_verdict(data, certs, backend) for backend in available_backends()}
    assert len(verdicts) == 1, verdicts
    return verdicts.pop()


def _resign(data: bytes, key, *, edit=None) -> bytes:
    """`edit(signed_info)` in place, then SignatureValue computed again over SignedInfo's
    canonical form (as its CanonicalizationMethod says): the digest is left as it was."""
    root = etree.fromstring(data, safe_parser(huge=True, keep_comments=True))
    sig = root.find(f".//{DS}Signature")
    signed_info = sig.find(f"{DS}SignedInfo")
    if edit is not None:
        edit(signed_info)
    exclusive = signed_info.find(f"{DS}CanonicalizationMethod").get("Algorithm") == EXC
    method = signed_info.find(f"{DS}SignatureMethod").get("Algorithm")
    algorithm = {SignatureMethod.RSA_SHA256.value: hashes.SHA256(), SignatureMethod.RSA_SHA1.value: hashes.SHA1(),
                 SignatureMethod.RSA_SHA512.value: hashes.SHA512()}[method]
    value = key.sign(etree.tostring(signed_info, method="c14n", exclusive=exclusive, with_comments=False),
                     padding.PKCS1v15(), algorithm)
    sig.find(f"{DS}SignatureValue").text = base64.b64encode(value).decode()
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + etree.tostring(root, encoding="UTF-8")


def _sign_with(data: bytes, identity, *, c14n, method, digest) -> bytes:
    """signxml signs with other algorithms (its digest, its SignedInfo), placed as ours is."""
    root = etree.fromstring(data)
    header = root.find("{*}edXMLEnvelope/{*}edXMLHeader")
    etree.SubElement(header, f"{DS}Signature", nsmap={None: DSIG_NS}, Id="placeholder")
    signer = XMLSigner(signature_algorithm=method, digest_algorithm=digest, c14n_algorithm=c14n)
    signer.namespaces = {None: DSIG_NS}
    signed = signer.sign(root, key=identity.key, cert=[identity.cert])
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + etree.tostring(signed, encoding="UTF-8")


def _crlf_wrapped(data: bytes) -> bytes:
    m = re.search(rb"(<edXML:ContentTransferEncoded[^>]*>)([^<]+)<", data)
    body = m.group(2)
    wrapped = b"\r\n".join(body[i:i + 76] for i in range(0, len(body), 76))
    return data[:m.start(2)] + wrapped + data[m.end(2):]


def test_the_cut_tree_is_the_default_engine():
    assert default_backend() == "lxml"
    assert available_backends()[0] == "lxml" and "signxml" in available_backends()


def test_good_packages_are_accepted_by_the_cut_tree_itself(document, agency, signed, cut):
    big = Attachment("lon.bin", random.Random(3).randbytes(3_300_000), "application/octet-stream")
    cases = {
        "two attachments": signed,
        "CR LF in a body": sign_package(_crlf_wrapped(build_package(document)), agency.key, agency.cert),
        "Signature in the edXML namespace": signed.replace(
            b'<Signature xmlns="http://www.w3.org/2000/09/xmldsig#">', b"<Signature>"),
        "no attachment": sign_package(build_package(dataclasses.replace(document, attachments=())),
                                      agency.key, agency.cert),
        "body over one 4 MB decoding step": sign_package(
            build_package(dataclasses.replace(document, attachments=(big,))), agency.key, agency.cert),
        "our own placeholder's look in the text": sign_package(
            build_package(document).replace(b"V/v", b"vanban-edxml-slice-0000000000000000-0 V/v", 1),
            agency.key, agency.cert),
    }
    for name, data in cases.items():
        cut.clear()
        result = read_package(data).verify([agency.cert], cache=None)
        assert result.valid is True, (name, result.reason)
        assert cut == [True], name
        assert result.package is not None and result.certificate == agency.cert
        assert _verdict(data, [agency.cert], "signxml") == (True, None), name


def test_other_algorithms_signed_by_signxml_are_accepted_as_signxml_accepts_them(document, agency, cut):
    built = build_package(document)
    exclusive = _sign_with(built, agency, c14n=CanonicalizationMethod.EXCLUSIVE_XML_CANONICALIZATION_1_0,
                           method=SignatureMethod.RSA_SHA512, digest=DigestAlgorithm.SHA384)
    # the digest is signxml's inclusive C14N of the document; SignedInfo then goes exclusive
    inclusive = _resign(_sign_with(built, agency, c14n=CanonicalizationMethod.CANONICAL_XML_1_0,
                                   method=SignatureMethod.RSA_SHA256, digest=DigestAlgorithm.SHA512),
                        agency.key, edit=lambda si: si[0].set("Algorithm", EXC))

    def enveloped_only(signed_info):
        """The national samples' form: no c14n transform (so inclusive C14N of the document)."""
        [transform] = [t for t in signed_info.iter(f"{DS}Transform") if t.get("Algorithm") == C14N_10]
        transform.getparent().remove(transform)

    cases = {"exclusive, SHA-384 digest": exclusive, "inclusive reference": inclusive,
             "enveloped transform alone": _resign(inclusive, agency.key, edit=enveloped_only)}
    assert C14N_10.encode() in inclusive
    for name, data in cases.items():
        cut.clear()
        assert _same_verdict_everywhere(data, [agency.cert]) == (True, None), name
        assert cut and all(cut), name
        changed = data.replace("triển khai".encode(), "hủy bỏ".encode(), 1)
        assert changed != data
        cut.clear()
        assert _same_verdict_everywhere(changed, [agency.cert]) == (False, "EDXML_SIGNATURE_INVALID"), name
        assert not any(cut), name


def test_an_inclusive_signed_info_is_left_to_the_tree_engine(document, agency, cut):
    """xmlsec canonicalises SignedInfo in its document (the namespaces in scope there), signxml
    re-parses the Signature alone: on an inclusive SignedInfo they disagree, and the cut tree
    takes neither side (the default's verdict is the tree engine's, as before it)."""
    data = _sign_with(build_package(document), agency, c14n=CanonicalizationMethod.CANONICAL_XML_1_0,
                      method=SignatureMethod.RSA_SHA256, digest=DigestAlgorithm.SHA256)
    tree_engine = "xmlsec" if "xmlsec" in available_backends() else "signxml"
    assert _verdict(data, [agency.cert], "lxml") == _verdict(data, [agency.cert], tree_engine)
    assert cut and not any(cut)


def test_every_refusal_is_left_to_the_other_engines(signed, agency, stranger, cut):
    m = re.search(rb"<edXML:ContentTransferEncoded[^>]*>([^<]+)<", signed)
    pos = m.start(1) + 100
    flipped = signed[:pos] + (b"B" if signed[pos:pos + 1] != b"B" else b"C") + signed[pos + 1:]
    value = re.search(rb"<SignatureValue>(.)", signed)
    cases = {
        "header changed": (signed.replace("triển khai".encode(), "hủy bỏ".encode()), [agency.cert]),
        "attachment byte changed": (flipped, [agency.cert]),
        "last attachment byte dropped": (signed[:m.end(1) - 1] + signed[m.end(1):], [agency.cert]),
        "SignatureValue changed": (signed[:value.start(1)] + (b"A" if value.group(1) != b"A" else b"B")
                                   + signed[value.end(1):], [agency.cert]),
        "wrong certificate": (signed, [stranger.cert]),
        "KeyInfo certificate garbled": (signed.replace(b"<X509Certificate>M", b"<X509Certificate>", 1),
                                        [agency.cert]),
        "a second Reference": (signed.replace(b"</SignedInfo>", b"<Reference URI=\"#x\"><DigestMethod "
                               b"Algorithm=\"http://www.w3.org/2001/04/xmlenc#sha256\"/><DigestValue>"
                               b"AAAA</DigestValue></Reference></SignedInfo>", 1), [agency.cert]),
        "an element after the signature": (signed.replace(b"</edXML:edXMLHeader>",
                                                          b"<edXML:Extra>x</edXML:Extra></edXML:edXMLHeader>", 1),
                                           [agency.cert]),
    }
    for name, (data, certs) in cases.items():
        cut.clear()
        valid, code = _same_verdict_everywhere(data, certs)
        assert valid is False, name
        assert code in {"EDXML_SIGNATURE_INVALID", "EDXML_SIGNATURE_UNTRUSTED", "EDXML_SIGNATURE_SCOPE"}, name
        assert not any(cut), name


def test_shapes_it_does_not_compute_go_to_the_other_engines(document, agency, signed, cut):
    """Declined, not refused: the whole tree then gets the verdict signxml gives it."""
    exc_transform = b'<Transform Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/>'
    assert exc_transform in signed
    cases = {
        "a processing instruction after the root": (signed + b"<?after x?>", True),
        "a comment before the root": (signed.replace(b"?>\n<edXML", b"?>\n<!-- c --><edXML", 1), True),
        "a comment in SignedInfo": (_resign(signed, agency.key, edit=lambda si: si.insert(0, etree.Comment("c"))),
                                    True),
        "InclusiveNamespaces on the transform": (_resign(signed, agency.key, edit=lambda si: etree.SubElement(
            si.find(f".//{DS}Transform[2]"),
            "{http://www.w3.org/2001/10/xml-exc-c14n#}InclusiveNamespaces", PrefixList="edXML")), None),
        "a character reference in a body": (sign_package(build_package(document).replace(
            b"</edXML:ContentTransferEncoded>", b"&#13;\n</edXML:ContentTransferEncoded>", 1),
            agency.key, agency.cert), True),
        "a body hidden in a comment": (sign_package(build_package(document).replace(
            b"<edXML:Subject>", b"<!-- <ContentTransferEncoded>QUFBQQ==</ContentTransferEncoded> -->"
            b"<edXML:Subject>", 1), agency.key, agency.cert), True),
    }
    for name, (data, valid) in cases.items():
        cut.clear()
        verdict = _same_verdict_everywhere(data, [agency.cert])
        if valid is not None:
            assert verdict[0] is valid, (name, verdict)
        assert not any(cut), name


def test_the_cut_tree_takes_a_certificate_only_when_valid_now(signed, agency, monkeypatch, cut):
    from vanban.edxml import xmldsig

    monkeypatch.setattr(xmldsig, "_valid_now", lambda cert: False)
    read_package(signed).verify([agency.cert], cache=None)  # the verdict is then signxml's
    assert cut == [False]


def test_bodies_are_hashed_in_steps_as_the_parser_reads_them(monkeypatch):
    """CR LF and lone CR read as LF, also when a step ends between the CR and its LF."""
    from vanban.edxml import xmldsig
    from vanban.edxml.payload import EncodedSource
    from vanban.edxml.safety import body_text

    rnd = random.Random(5)
    for step in (1, 2, 3, 7, 64):
        monkeypatch.setattr(xmldsig, "_BODY_STEP", step)
        for _ in range(40):
            body = bytes(rnd.choice(b"AB\r\n") for _ in range(rnd.randrange(0, 40)))
            buffer = b"<x>" + body + b"</x>"
            source = EncodedSource(buffer, 3, 3 + len(body))
            hasher = hashlib.sha256()
            xmldsig._hash_body(hasher, source)
            assert hasher.digest() == hashlib.sha256(body_text(source)).digest(), (step, body)


def test_the_signature_is_put_back_exactly_after_the_enveloped_transform(signed, agency):
    read = read_package(signed)
    tree = read._dsig_tree()
    before = etree.tostring(tree)
    assert read.verify([agency.cert], cache=None).valid is True
    assert etree.tostring(tree) == before
    assert read.certificates() == [agency.cert]
    for xml in (b"<a>t<s/>u<b/>v</a>", b"<a><s/>u</a>", b"<a>t<!--c--><s/></a>", b"<a><b/>w<s>x</s></a>",
                b"<a><s/></a>"):
        root = etree.fromstring(xml)
        sig = root.find("s")
        seen = canonical_without(root, sig, exclusive=False)
        assert b"<s" not in seen
        assert seen == etree.tostring(root, method="c14n", with_comments=False).replace(
            etree.tostring(sig, method="c14n", with_comments=False), b"")
        assert etree.tostring(root) == xml


BENIGN = [  # changes canonical XML does not see: the signature still holds
    (rb'<edXML:Subject>', rb'<edXML:Subject >'),
    (rb'</edXML:Subject>', rb'</edXML:Subject  >'),
    (rb'<edXML:Subject>', rb'<!-- x --><edXML:Subject>'),
    (rb'Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"', rb"Algorithm='http://www.w3.org/2001/10/xml-exc-c14n#'"),
    (rb'<edXML:Content></edXML:Content>', rb'<edXML:Content/>'),
]
HOSTILE = [b"<!--", b"-->", b"<?pi x?>", b"]]>", b"&#13;", b"&#x41;", b"A", b"=", b" ", b"\r\n",
           b"</edXML:ContentTransferEncoded>", b"<edXML:ContentTransferEncoded>",
           b"<ContentTransferEncoded>QUFBQQ==</ContentTransferEncoded>",
           b'<Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"/>',
           b"<SignedInfo>", b"</Signature>", b"<Signature xmlns=\"http://www.w3.org/2000/09/xmldsig#\">"]


def test_seeded_mutations_get_the_same_verdict_from_every_engine(document, agency, signed):
    """The property the fuzz target checks, on a fixed sample small enough for every CI run."""
    inclusive = _resign(_sign_with(build_package(document), agency, c14n=CanonicalizationMethod.CANONICAL_XML_1_0,
                                   method=SignatureMethod.RSA_SHA256, digest=DigestAlgorithm.SHA256),
                        agency.key, edit=lambda si: si[0].set("Algorithm", EXC))
    rnd = random.Random(23)
    accepted = 0
    for base in (signed, inclusive):
        for old, new in BENIGN:
            if old in base:
                data = base.replace(old, new, 1)
                assert _same_verdict_everywhere(data, [agency.cert]) == (True, None), (old, new)
                accepted += 1
        for _ in range(60):
            data = bytearray(base)
            for _ in range(rnd.randint(1, 3)):
                pos = rnd.randrange(len(data))
                if rnd.random() < 0.5:
                    data[pos:pos] = rnd.choice(HOSTILE)
                else:
                    del data[pos:pos + rnd.randint(1, 8)]
            _same_verdict_everywhere(bytes(data), [agency.cert])
    assert accepted >= 6
