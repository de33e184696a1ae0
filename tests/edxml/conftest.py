"""Shared fixtures: a generated test PKI (nothing committed) and a sample document package."""

from __future__ import annotations

import pytest

from tests.edxml.samples import Identity, make_identity, sample_document
from vanban.edxml import Attachment, DocumentPackage


@pytest.fixture(scope="session")
def agency() -> Identity:
    return make_identity("UBND tỉnh Đắk Lắk")


@pytest.fixture(scope="session")
def stranger() -> Identity:
    return make_identity("Kẻ lạ")


@pytest.fixture
def document() -> DocumentPackage:
    return sample_document(
        Attachment("công văn 12.pdf", b"%PDF-1.4\n" + bytes(range(256)) * 40, "application/pdf",
                   "Bản ký số"),
        Attachment("du-thao.docx", b"PK\x03\x04 not a real docx" * 10,
                   "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    )


@pytest.fixture(params=["lxml", "xmlsec", "signxml"])
def each_backend(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run a test once with each XML-DSig engine as the default: the verdicts must not differ."""
    from vanban.edxml import signature, xmldsig

    if request.param not in xmldsig.available_backends():
        pytest.skip(f"python-xmlsec not importable: {xmldsig.XMLSEC_UNAVAILABLE}")
    monkeypatch.setattr(signature, "default_backend", lambda: request.param)
    return str(request.param)
