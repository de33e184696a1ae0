"""Signing the gate's tree (`vanban.edxml.sign_cut`): the bodies stay cut out, hashed from the
received bytes and spliced back into the output. RSA PKCS#1 v1.5 is deterministic, so the
signed bytes must be exactly what signxml writes for the same package and key; signxml stays
the path for what the cut tree does not take."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest

from vanban.edxml import DSIG_NS, Attachment, EdxmlError, build_package, read_package, sign_package
from vanban.edxml import sign_cut as sign_cut_module
from vanban.edxml import signature as signature_module
from vanban.edxml.limits import DEFAULT_LIMITS
from vanban.edxml.parse import gate, read_tree
from vanban.edxml.sign_cut import sign_cut
from vanban.edxml.xmldsig import available_backends

from .samples import FIXTURES, Identity, make_identity, sample_document, took_it

pytestmark = pytest.mark.unit

REAL = Path(__file__).parent / "real"
DSIG = DSIG_NS.encode()


def _signxml_sign(monkeypatch: pytest.MonkeyPatch, data: bytes, key, cert) -> bytes:
    """`sign_package` as it was: the whole tree, signed by signxml."""
    with monkeypatch.context() as m:
        m.setattr(signature_module, "sign_cut", lambda *args: None)
        return sign_package(data, key, cert)


def _cut_used(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    return took_it(monkeypatch, signature_module, "sign_cut")


def _packages() -> dict[str, bytes]:
    rnd = random.Random(23)
    one = build_package(sample_document(Attachment("to-trinh.pdf", rnd.randbytes(3000), "application/pdf")))
    three = build_package(sample_document(*[
        Attachment(f"phu-luc-{i}.docx", rnd.randbytes(rnd.randint(1, 9000)),
                   "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
        for i in range(3)]))
    return {
        "no attachment": build_package(sample_document()),
        "one attachment": one,
        "three attachments": three,
        "CR LF line ends": one.replace(b"\n", b"\r\n"),
        "comment and processing instruction": one.replace(
            b"<edXML:edXMLBody>", b"<!-- ghi chu --><?pi x?><edXML:edXMLBody>"),
        "base64 wrapped at 76": _wrapped(one),
        "base64 wrapped at 76 by CR LF": _wrapped(one, b"\r\n"),
        # signxml alone wrote URI="#goc" for this, which verify_package refuses (scope): both
        # paths now write URI="", the whole package
        "root with an Id attribute": one.replace(b"<edXML xmlns=", b'<edXML Id="goc" xmlns=', 1),
        "an empty attachment body": _emptied(three),
        # a prefix for XML-DSig in scope: the signature still declares it as its default namespace
        "xmlns:ds on the root": one.replace(b"<edXML xmlns=", b'<edXML xmlns:ds="' + DSIG + b'" xmlns=', 1),
        "xmlns:dsig on the header": one.replace(b"<edXML:edXMLHeader>",
                                                b'<edXML:edXMLHeader xmlns:dsig="' + DSIG + b'">', 1),
    }


def _emptied(data: bytes) -> bytes:
    """The first attachment's base64 removed: `<ContentTransferEncoded …></ContentTransferEncoded>`."""
    start = re.search(rb"<[\w:]*ContentTransferEncoded[^>]*>", data).end()
    return data[:start] + data[data.index(b"</", start):]


def _wrapped(data: bytes, line_end: bytes = b"\n") -> bytes:
    """The first attachment's base64 in lines of 76, ended by `line_end`."""
    start = re.search(rb"<[\w:]*ContentTransferEncoded[^>]*>", data).end()
    end = data.index(b"</", start)
    assert end - start > 1000
    body = data[start:end]
    lines = line_end.join(body[i:i + 76] for i in range(0, len(body), 76))
    return data[:start] + lines + data[end:]


@pytest.fixture(scope="module")
def agency_key() -> Identity:
    return make_identity("Sở Nội vụ")


@pytest.mark.parametrize("name", list(_packages()))
def test_the_bytes_are_signxmls(name: str, agency_key: Identity, monkeypatch: pytest.MonkeyPatch) -> None:
    data = _packages()[name]
    used = _cut_used(monkeypatch)
    ours = sign_package(data, agency_key.key, agency_key.cert)
    assert used == [True]
    assert ours == _signxml_sign(monkeypatch, data, agency_key.key, agency_key.cert)
    assert b'<Reference URI="">' in ours
    for backend in available_backends():
        assert read_package(ours, backend=backend).verify([agency_key.cert], cache=None).valid, backend


def test_resigning_real_packages_matches_signxml(agency_key: Identity, monkeypatch: pytest.MonkeyPatch) -> None:
    """Real packages (tests/edxml/real, README there: provenance) with their own signatures —
    XML-DSig or VNPT's edXML-namespace form — replaced, and the fixtures modelled on real senders."""
    files = sorted(REAL.glob("*.edxml")) + sorted(FIXTURES.glob("*.edxml"))
    assert len(files) >= 10
    cut = 0
    for path in files:
        data = path.read_bytes()
        used = _cut_used(monkeypatch)
        ours = sign_package(data, agency_key.key, agency_key.cert)
        cut += used == [True]
        assert ours == _signxml_sign(monkeypatch, data, agency_key.key, agency_key.cert), path.name
        verdict = read_package(ours, strict=False, backend="signxml").verify([agency_key.cert], cache=None)
        assert verdict.valid, (path.name, verdict.reason)
    assert cut >= len(files) - 2  # bodies with character references go to signxml


def test_a_certificate_chain_is_written_in_order(monkeypatch: pytest.MonkeyPatch) -> None:
    signer, issuer = make_identity("Người ký"), make_identity("CA thử")
    data = _packages()["one attachment"]
    chain = signer.cert_pem() + issuer.cert_pem()
    ours = sign_package(data, signer.key, chain)
    assert ours == _signxml_sign(monkeypatch, data, signer.key, chain)
    assert ours.count(b"<X509Certificate>") == 2
    assert [c.subject for c in read_package(ours).certificates()] == [signer.cert.subject, issuer.cert.subject]


def test_a_body_with_character_references_goes_to_signxml(agency_key: Identity,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    data = _wrapped(_packages()["one attachment"], b"&#13;\n")
    skeleton, tree = gate(data, DEFAULT_LIMITS, keep_comments=True)
    read_tree(tree, skeleton, strict=False, limits=DEFAULT_LIMITS)
    signature = signature_module._empty_signature(tree)
    assert sign_cut(tree, skeleton, signature, agency_key.key, [agency_key.cert]) is None
    assert len(signature) == 0  # nothing left behind for the whole-tree path
    used = _cut_used(monkeypatch)
    signed = sign_package(data, agency_key.key, agency_key.cert)
    assert used == [False]
    assert read_package(signed).verify([agency_key.cert], cache=None).valid
    assert read_package(signed).parsed.attachments[0].sha256 == read_package(data).parsed.attachments[0].sha256


def test_a_large_package_is_signed_without_its_bodies_in_the_tree(agency_key: Identity,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """Two 3 MB attachments: the canonical form the cut path hashes holds placeholders, not
    the 8 MB of base64, and the output still equals signxml's."""
    rnd = random.Random(5)
    data = build_package(sample_document(*[Attachment(f"ban-ve-{i}.pdf", rnd.randbytes(3_000_000), "application/pdf")
                                           for i in range(2)]))
    seen: list[int] = []
    real = signature_module.sign_cut.__globals__["digest_with_bodies"]

    def spy(canonical, *args):
        seen.append(len(canonical))
        return real(canonical, *args)
    monkeypatch.setitem(signature_module.sign_cut.__globals__, "digest_with_bodies", spy)
    ours = sign_package(data, agency_key.key, agency_key.cert)
    assert seen and seen[0] < 20_000
    monkeypatch.undo()
    assert ours == _signxml_sign(monkeypatch, data, agency_key.key, agency_key.cert)


def test_the_signature_declares_its_namespace_even_under_a_prefix_for_it(agency_key: Identity,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """With `xmlns:ds` declared on the root, lxml names a taken-out-and-put-back element by that
    prefix: the canonical form is now computed on a copy, so the signature stays `<Signature
    xmlns="…">` and the cut-tree engine accepts it by itself (before, it refused it and the
    whole-tree engine, handed the renamed tree, refused it too)."""
    data = _packages()["xmlns:ds on the root"]
    ours = sign_package(data, agency_key.key, agency_key.cert)
    assert b'<Signature xmlns="' + DSIG + b'">' in ours
    accepted = took_it(monkeypatch, signature_module, "verify_cut")
    assert read_package(ours).verify([agency_key.cert], cache=None).valid
    assert accepted == [True]


def test_a_digest_the_cut_tree_cannot_place_leaves_the_signature_empty(agency_key: Identity,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    data = _packages()["three attachments"]
    skeleton, tree = gate(data, DEFAULT_LIMITS, keep_comments=True)
    read_tree(tree, skeleton, strict=False, limits=DEFAULT_LIMITS)
    signature = signature_module._empty_signature(tree)
    monkeypatch.setattr(sign_cut_module, "digest_with_bodies", lambda *args: None)
    assert sign_cut(tree, skeleton, signature, agency_key.key, [agency_key.cert]) is None
    assert len(signature) == 0 and signature.getparent() is not None
    ours = sign_package(data, agency_key.key, agency_key.cert)  # the whole tree, signxml
    monkeypatch.undo()
    assert ours == sign_package(data, agency_key.key, agency_key.cert)


def test_a_relative_namespace_uri_is_refused_on_both_paths(agency_key: Identity,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """Canonical XML cannot take `xmlns:r="rel"` (verify already refused it: fuzz case
    crash-b9b1ef2b4e50c3a1); signing let lxml's `C14NError` escape, on both paths."""
    data = _packages()["one attachment"].replace(b"<edXML xmlns=", b'<edXML xmlns:r="rel" xmlns=', 1)
    for sign in (lambda: sign_package(data, agency_key.key, agency_key.cert),
                 lambda: _signxml_sign(monkeypatch, data, agency_key.key, agency_key.cert)):
        with pytest.raises(EdxmlError) as refused:
            sign()
        assert refused.value.code == "EDXML_MALFORMED"
