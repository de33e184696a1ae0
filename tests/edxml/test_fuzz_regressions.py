"""Inputs the fuzzer once crashed on (fuzz/corpus/edxml): now EdxmlError or a clean read."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
from cryptography import x509

from vanban.edxml import EdxmlError, parse_package, verify_package
from vanban.edxml.xmldsig import BACKENDS

pytestmark = pytest.mark.unit

CORPUS = Path(__file__).resolve().parents[2] / "fuzz" / "corpus" / "edxml"
CASES = sorted(CORPUS.glob("*.edxml"))


def test_corpus_is_not_empty():
    assert CASES, "fuzz/corpus/edxml holds the fuzzer's regression cases"


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.name)
@pytest.mark.parametrize("strict", [True, False])
def test_regression_case(path, strict):
    try:
        parsed = parse_package(path.read_bytes(), strict=strict)
    except EdxmlError as exc:
        assert exc.code and exc.message
        return
    for att in parsed.attachments:
        assert len(att.read()) == att.size


@pytest.mark.parametrize("backend", BACKENDS)
def test_relative_namespace_uri_is_an_invalid_signature_not_a_crash(backend: str) -> None:
    """crash-b9b1ef2b4e50c3a1 (05/12/2026): the envelope's edXML prefix bound to a relative URI
    parses, but exclusive C14N of the signed part fails inside signxml (lxml's C14NError) —
    it escaped verify as itself. Now a verdict like any other broken signature."""
    data = (CORPUS / "crash-b9b1ef2b4e50c3a1.edxml").read_bytes()
    certificate = x509.load_der_x509_certificate(base64.b64decode(
        data.split(b"<X509Certificate>")[1].split(b"</X509Certificate>")[0]))
    result = verify_package(data, [certificate], backend=backend)
    assert not result.valid
    assert result.code == "EDXML_SIGNATURE_INVALID"


NON_ASCII_ATTRIBUTE_NAMES = ["crash-06b429c09964db66.edxml", "crash-76bb2a159fa2b039.edxml",
                             "crash-a47b248f2bc44e86.edxml"]


@pytest.mark.parametrize("name", NON_ASCII_ATTRIBUTE_NAMES)
@pytest.mark.parametrize("backend", BACKENDS)
def test_a_tree_signxml_cannot_read_back_is_a_verdict_not_a_crash(name: str, backend: str) -> None:
    """07/12/2026: a byte inserted in the root's start tag made a non-ASCII attribute name
    (`<edXML 豈xmlns=…>`); libxml2 reads it, but signxml re-reads the tree from lxml's ASCII
    serialisation, which it cannot parse: XMLSyntaxError escaped `verify_package`."""
    from tests.edxml.samples import make_identity

    result = verify_package((CORPUS / name).read_bytes(), [make_identity("Bất kỳ").cert], backend=backend)
    assert not result.valid
    assert result.code == "EDXML_SIGNATURE_INVALID"


@pytest.mark.parametrize("name", NON_ASCII_ATTRIBUTE_NAMES)
def test_such_a_package_is_signed_on_the_cut_tree_and_verifies(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The cut tree writes UTF-8 and signs it, and the cut-tree engine accepts the result;
    signxml's path cannot read it back and says so (EDXML_MALFORMED, not XMLSyntaxError)."""
    from tests.edxml.samples import make_identity
    from vanban.edxml import read_package, sign_package
    from vanban.edxml import signature as signature_module

    identity = make_identity("Văn thư")
    data = (CORPUS / name).read_bytes()
    signed = sign_package(data, identity.key, identity.cert)
    assert read_package(signed, strict=False).verify([identity.cert], cache=None).valid
    monkeypatch.setattr(signature_module, "sign_cut", lambda *args: None)
    with pytest.raises(EdxmlError) as refused:
        sign_package(data, identity.key, identity.cert)
    assert refused.value.code == "EDXML_MALFORMED"
