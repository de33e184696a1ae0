"""Shared fixtures: a small agency with real certificates (a leader's personal key and the
agency seal). Registered for every test directory by tests/conftest.py."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from tests.factories import make_agency, make_user
from vanban.documents.models import DocumentType
from vanban.documents.types import seed_document_types
from vanban.pki.samplepdf import make_pdf
from vanban.pki.testpki import TestPki
from vanban.pki.testserver import PkiServer
from vanban.trust import services as trust


@dataclass
class Office:
    agency: Any
    specialist: Any
    leader: Any
    clerk: Any
    other_leader: Any
    pki: TestPki


@pytest.fixture(scope="session")
def doc_pki() -> Iterator[TestPki]:
    """With its CRL/OCSP responder live on 127.0.0.1: the office checks revocation for real."""
    server = PkiServer()
    pki = TestPki(prefix="DOCS", base_url=server.url)
    server.attach(pki)
    with server:
        yield pki


@pytest.fixture
def document_types(db: None) -> None:
    """Transactional tests flush every table, the types seeded by migration included."""
    seed_document_types(DocumentType)


@pytest.fixture
def signing_office(document_types: None, doc_pki: TestPki) -> Office:
    agency = make_agency("000.00.01.H16", "Văn phòng Ủy ban nhân dân tỉnh Đắk Lắk", abbreviation="UBND")
    make_agency("000.00.02.H16", "Sở Nội vụ", abbreviation="SNV")
    make_agency("000.00.03.H16", "Sở Tài chính", abbreviation="STC")
    leader = make_user(agency, "leader", username="lanhdao", full_name="Trần Văn Hùng", position="Chủ tịch")
    office = Office(agency=agency, specialist=make_user(agency, "specialist", username="chuyenvien"),
                    leader=leader, clerk=make_user(agency, "clerk", username="vanthu"),
                    other_leader=make_user(make_agency("000.00.02.H16"), "leader"), pki=doc_pki)
    trust.add_anchors(actor="test", agency=None, data=doc_pki.root.cert_pem())
    person = doc_pki.issue_person("Trần Văn Hùng", "Chủ tịch", agency.name, agency.code)
    trust.register_credential(actor="test", agency=agency, kind="person", user=leader,
                              p12=person.pkcs12(b"pw"), password="pw")
    seal = doc_pki.issue_seal(agency.name, agency.code)
    trust.register_credential(actor="test", agency=agency, kind="seal", p12=seal.pkcs12(b"pw"),
                              password="pw")
    return office


@pytest.fixture
def pdf_bytes() -> bytes:
    return make_pdf("QUYET DINH ve viec thu nghiem")
