"""One parse per package (issue 23): parse and verify share one tree, attachments are decoded
once, python-xmlsec and signxml give the same verdicts, and verdicts are cached by SHA-256."""

from __future__ import annotations

import dataclasses
import importlib.util
import random
import re

import pytest
from lxml import etree

from vanban.edxml import (
    Attachment,
    VerificationCache,
    build_package,
    parse_package,
    read_package,
    sign_package,
    verify_package,
)
from vanban.edxml import parse as parse_module
from vanban.edxml.limits import DEFAULT_LIMITS
from vanban.edxml.signature import _open
from vanban.edxml.xmldsig import BACKENDS, XMLSEC_UNAVAILABLE, available_backends, xmlsec_accepts

pytestmark = pytest.mark.unit

HAS_XMLSEC = "xmlsec" in available_backends()
needs_xmlsec = pytest.mark.skipif(not HAS_XMLSEC, reason=f"python-xmlsec not importable: {XMLSEC_UNAVAILABLE}")


@pytest.fixture
def signed(document, agency) -> bytes:
    return sign_package(build_package(document), agency.key, agency.cert)


def _flip_attachment_byte(data: bytes) -> bytes:
    m = re.search(rb"<edXML:ContentTransferEncoded[^>]*>([^<]+)<", data)
    assert m is not None
    pos = m.start(1) + 100
    flipped = b"B" if data[pos:pos + 1] != b"B" else b"C"
    return data[:pos] + flipped + data[pos + 1:]


def _cases(signed: bytes, agency, stranger) -> dict[str, tuple[bytes, list, tuple[bool, str | None]]]:
    """name → (bytes, trusted certificates, expected (valid, code))."""
    return {
        "good": (signed, [agency.cert], (True, None)),
        "good, second of two certificates": (signed, [stranger.cert, agency.cert], (True, None)),
        "header changed": (signed.replace("triển khai".encode(), "hủy bỏ".encode()), [agency.cert],
                           (False, "EDXML_SIGNATURE_INVALID")),
        "attachment byte changed": (_flip_attachment_byte(signed), [agency.cert],
                                    (False, "EDXML_SIGNATURE_INVALID")),
        "SignatureValue changed": (re.sub(rb"<SignatureValue>.", b"<SignatureValue>A", signed, count=1)
                                   if b"<SignatureValue>A" not in signed else
                                   re.sub(rb"<SignatureValue>.", b"<SignatureValue>B", signed, count=1),
                                   [agency.cert], (False, "EDXML_SIGNATURE_UNTRUSTED")),
        "wrong certificate": (signed, [stranger.cert], (False, "EDXML_SIGNATURE_UNTRUSTED")),
        # outside SignedInfo, and the key comes from the trusted certificate, but the Signature is
        # no longer valid XML-DSig (signxml checks the schema; found by the fuzzer)
        "KeyInfo certificate garbled": (signed.replace(b"<X509Certificate>M", b"<X509Certificate>", 1),
                                        [agency.cert], (False, "EDXML_SIGNATURE_INVALID")),
    }


@pytest.mark.parametrize("backend", BACKENDS)
def test_both_engines_give_the_expected_verdicts(signed, agency, stranger, backend):
    if backend == "xmlsec" and not HAS_XMLSEC:
        pytest.skip(f"python-xmlsec not importable: {XMLSEC_UNAVAILABLE}")
    for name, (data, trusted, expected) in _cases(signed, agency, stranger).items():
        result = verify_package(data, trusted, backend=backend)
        assert (result.valid, result.code) == expected, name
        if result.valid:
            assert result.certificate == agency.cert
            assert result.algorithm == "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"


@needs_xmlsec
def test_xmlsec_itself_accepts_the_good_package_and_refuses_each_changed_one(signed, agency, stranger):
    """Not only the verdict (signxml explains refusals): xmlsec's own answer on the tree."""
    for name, (data, trusted, expected) in _cases(signed, agency, stranger).items():
        read = _open(data, DEFAULT_LIMITS, strict=False, model_required=False, backend="xmlsec")
        root = read._full_tree()
        assert any(xmlsec_accepts(root, cert) for cert in trusted) is expected[0], name


def test_xmlsec_is_importable_when_installed():
    """lxml and xmlsec pinned together share libxml2; if they drift apart, say so here rather than
    silently verifying with the slower engine."""
    if importlib.util.find_spec("xmlsec") is None:
        pytest.skip("python-xmlsec not installed: signxml verifies")
    assert HAS_XMLSEC, XMLSEC_UNAVAILABLE


@pytest.mark.parametrize("backend", BACKENDS)
def test_read_and_verify_parse_once_and_decode_each_attachment_once(signed, agency, backend, monkeypatch):
    if backend == "xmlsec" and not HAS_XMLSEC:
        pytest.skip(f"python-xmlsec not importable: {XMLSEC_UNAVAILABLE}")
    parses: list[int] = []
    decodes: list[int] = []
    real_fromstring = etree.fromstring
    real_decode = parse_module.decode_payload

    def counting_fromstring(*args, **kwargs):
        parses.append(1)
        return real_fromstring(*args, **kwargs)

    def counting_decode(*args, **kwargs):
        decodes.append(1)
        return real_decode(*args, **kwargs)

    monkeypatch.setattr(etree, "fromstring", counting_fromstring)
    monkeypatch.setattr(parse_module, "decode_payload", counting_decode)
    read = read_package(signed, backend=backend)
    result = read.verify([agency.cert], cache=None)
    assert result.valid is True
    assert len(decodes) == len(read.parsed.attachments) == 2
    if backend != "signxml":
        assert len(parses) == 1  # signxml re-serialises and re-parses inside its own verify()
    assert result.package is read.parsed


def test_verified_model_is_the_parsed_model(signed, agency):
    result = verify_package(signed, [agency.cert])
    assert result.valid is True
    assert result.package.document == parse_package(signed).document
    assert [a.sha256 for a in result.package.attachments] == [a.sha256 for a in parse_package(signed).attachments]


def test_line_breaks_in_base64_are_read_as_the_parser_reads_them(document, agency):
    """CR LF (or a lone CR) inside an attachment's base64 becomes LF in the tree (XML end-of-line
    handling): the bodies put back into the gate's tree must give the digest a full parse gives."""
    built = build_package(document)
    m = re.search(rb"(<edXML:ContentTransferEncoded[^>]*>)([^<]+)<", built)
    body = m.group(2)
    wrapped = b"\n".join(body[i:i + 76] for i in range(0, len(body), 76))
    signed = sign_package(built[:m.start(2)] + wrapped + built[m.end(2):], agency.key, agency.cert)
    m = re.search(rb"(<edXML:ContentTransferEncoded[^>]*>)([^<]+)<", signed)
    assert b"\n" in m.group(2)
    crlf = signed[:m.start(2)] + m.group(2).replace(b"\n", b"\r\n") + signed[m.end(2):]
    lone_cr = signed[:m.start(2)] + m.group(2).replace(b"\n", b"\r") + signed[m.end(2):]
    for backend in available_backends():
        for data in (signed, crlf, lone_cr):
            assert verify_package(data, [agency.cert], backend=backend).valid is True
        assert verify_package(_flip_attachment_byte(crlf), [agency.cert], backend=backend).valid is False
        # a CR turned into a space is another text, not a line break: the digest fails
        spaced = crlf.replace(b"\r\n", b" \n", 1)
        assert verify_package(spaced, [agency.cert], backend=backend).code == "EDXML_SIGNATURE_INVALID"


def test_character_references_in_base64_fall_back_to_a_full_parse(document, agency):
    built = build_package(document)
    m = re.search(rb"(<edXML:ContentTransferEncoded[^>]*>)([^<]+)<", built)
    body = m.group(2)
    data = built[:m.start(2)] + body[:76] + b"&#13;\n" + body[76:] + built[m.end(2):]
    signed = sign_package(data, agency.key, agency.cert)
    assert b"&#13;" in signed
    assert parse_package(signed).attachments[0].read() == document.attachments[0].data
    for backend in available_backends():
        assert verify_package(signed, [agency.cert], backend=backend).valid is True
        assert verify_package(signed.replace(b"&#13;", b"", 1), [agency.cert], backend=backend).valid is False


def test_comments_inside_text_read_the_same_in_parse_and_read(document, agency):
    data = sign_package(build_package(document), agency.key, agency.cert)
    commented = data.replace("V/v triển khai".encode(), "V/v triển<!-- ghi chú --> khai".encode(), 1)
    assert commented != data
    assert read_package(commented).parsed.document == parse_package(commented).document
    assert parse_package(commented).document.subject == parse_package(data).document.subject
    # c14n without comments drops it: the signature still holds
    assert read_package(commented).verify([agency.cert], cache=None).valid is True


def test_same_bytes_verified_twice_is_a_cache_hit(signed, agency):
    cache = VerificationCache()
    first = read_package(signed).verify([agency.cert], cache=cache)
    second = read_package(signed).verify([agency.cert], cache=cache)
    assert first.valid is second.valid is True
    assert (cache.misses, cache.hits) == (1, 1)
    assert second.signer == first.signer and second.package is None


def test_one_changed_byte_is_verified_again_and_refused(signed, agency):
    cache = VerificationCache()
    assert read_package(signed).verify([agency.cert], cache=cache).valid is True
    changed = signed.replace("triển khai".encode(), "hủy bỏ".encode())
    result = read_package(changed).verify([agency.cert], cache=cache)
    assert (result.valid, result.code) == (False, "EDXML_SIGNATURE_INVALID")
    assert (cache.misses, cache.hits) == (2, 0)
    # the refusal is remembered for those bytes, and the good package's verdict is still there
    assert read_package(changed).verify([agency.cert], cache=cache).valid is False
    assert read_package(signed).verify([agency.cert], cache=cache).valid is True
    assert (cache.misses, cache.hits) == (2, 2)


def test_other_trusted_certificates_are_another_key(signed, agency, stranger):
    cache = VerificationCache()
    assert read_package(signed).verify([agency.cert], cache=cache).valid is True
    assert read_package(signed).verify([stranger.cert], cache=cache).valid is False
    assert read_package(signed).verify([agency.cert, stranger.cert], cache=cache).valid is True
    assert (cache.misses, cache.hits) == (3, 0)


def test_cache_keeps_at_most_maxsize_verdicts(document, agency):
    cache = VerificationCache(maxsize=2)
    packages = [sign_package(build_package(document).replace(b"V/v", f"V/v {i}".encode(), 1),
                             agency.key, agency.cert) for i in range(3)]
    for data in packages:
        read_package(data).verify([agency.cert], cache=cache)
    read_package(packages[0]).verify([agency.cert], cache=cache)  # the oldest was dropped
    assert (cache.misses, cache.hits) == (4, 0)
    read_package(packages[2]).verify([agency.cert], cache=cache)
    assert cache.hits == 1


def test_read_package_refuses_what_parse_package_refuses():
    from vanban.edxml import EdxmlError

    with pytest.raises(EdxmlError) as err:
        read_package(b'<!DOCTYPE x [<!ENTITY a "b">]><edXML/>')
    assert err.value.code == "EDXML_DTD_FORBIDDEN"


def test_embedded_certificates_come_from_the_same_read(signed, agency):
    read = read_package(signed)
    assert read.certificates() == [agency.cert]
    assert read.verify(read.certificates()[:1], cache=None).valid is True


def test_large_attachment_verifies_through_the_filled_tree(document, agency):
    big = Attachment("lon.bin", random.Random(7).randbytes(3_000_000), "application/octet-stream")
    data = sign_package(build_package(dataclasses.replace(document, attachments=(big,))), agency.key, agency.cert)
    read = read_package(data)
    assert read.parsed.attachments[0].size == len(big.data)
    assert read.verify([agency.cert], cache=None).valid is True


def test_a_body_hidden_in_a_processing_instruction_is_read_by_a_full_parse(document, agency):
    """c14n keeps processing instructions: one holding ContentTransferEncoded markup is cut by
    the byte scan like a body, so the tree is then parsed in full to get its real text."""
    pi = b"<?note <ContentTransferEncoded>QUFBQQ==</ContentTransferEncoded>?>"
    data = build_package(document).replace(b"<edXML:Subject>", pi + b"<edXML:Subject>", 1)
    signed = sign_package(data, agency.key, agency.cert)
    assert pi in signed
    for backend in available_backends():
        assert read_package(signed, backend=backend).verify([agency.cert], cache=None).valid is True
        changed = signed.replace(b"QUFBQQ==", b"QkJCQg==", 1)
        assert verify_package(changed, [agency.cert], backend=backend).code == "EDXML_SIGNATURE_INVALID"


@needs_xmlsec
def test_key_info_set_aside_for_xmlsec_is_put_back_as_it_was(signed, agency):
    read = read_package(signed, backend="xmlsec")
    root = read._full_tree()
    before = etree.tostring(root)
    assert read.verify([agency.cert], cache=None).valid is True
    assert etree.tostring(root) == before
    assert read.certificates() == [agency.cert]
