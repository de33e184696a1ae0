"""The METS seal with an RFC 3161 timestamp from a real TSA on loopback (our test PKI): the
time of sealing rests on the TSA, and a token over anything else is refused."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization

from vanban.core.clock import VN_TZ
from vanban.pki.testpki import Issued, TestPki
from vanban.pki.testserver import PkiServer
from vanban.pki.tsp import request_timestamp
from vanban.records.earkseal import check_seal, make_seal

pytestmark = pytest.mark.integration

METS = b"<mets OBJID='urn:vanban:000.00.01.H16.2026.01.TH'/>"
OBJID = "urn:vanban:000.00.01.H16.2026.01.TH"


@pytest.fixture(scope="module")
def tsa() -> Iterator[tuple[PkiServer, Issued]]:
    server = PkiServer()
    pki = TestPki(base_url=server.url, prefix="SEAL TEST")
    server.attach(pki, tsa=pki.issue_tsa())
    with server:
        yield server, pki.issue_system("Hệ thống vanban — VP", "Văn phòng UBND tỉnh", "000.00.01.H16")


def _seal(server: PkiServer, system: Issued, mets: bytes = METS) -> bytes:
    return make_seal(mets, key=system.key, certificate_pem=system.cert.public_bytes(serialization.Encoding.PEM),
                     object_id=OBJID, sealed_at=datetime(2026, 12, 4, 9, 30, tzinfo=VN_TZ),
                     timestamper=lambda data: request_timestamp(server.tsa_url, data))


def test_a_timestamped_seal_names_the_tsa_and_its_time(tsa: tuple[PkiServer, Issued]) -> None:
    server, system = tsa
    seal = _seal(server, system)
    check = check_seal(METS, seal, OBJID)
    assert check.ok, check.reason
    assert check.tsa and "TSA" in check.tsa.upper()
    assert check.timestamped_at.endswith("+07:00")
    assert check.timestamped_at[:4] == str(datetime.now().year)  # the TSA's clock, not sealed_at's
    assert check.sealed_at == "2026-12-04T09:30:00+07:00"


def test_a_token_from_another_seal_is_refused(tsa: tuple[PkiServer, Issued]) -> None:
    server, system = tsa
    seal = json.loads(_seal(server, system))
    other = json.loads(_seal(server, system, b"<mets OBJID='another'/>"))
    seal["timestamp"] = other["timestamp"]  # a genuine token, over another statement
    check = check_seal(METS, json.dumps(seal).encode(), OBJID)
    assert not check.ok and "dấu thời gian" in check.reason
    seal["timestamp"] = base64.b64encode(b"not a token").decode()
    assert "dấu thời gian" in check_seal(METS, json.dumps(seal).encode(), OBJID).reason


def test_a_seal_without_timestamp_still_checks(tsa: tuple[PkiServer, Issued]) -> None:
    server, system = tsa
    seal = json.loads(_seal(server, system))
    del seal["timestamp"]
    check = check_seal(METS, json.dumps(seal).encode(), OBJID)
    assert check.ok and check.timestamped_at == "" and check.tsa == ""


@pytest.mark.django_db
def test_export_timestamps_the_seal_with_the_installations_tsa(archive: Any, pdf_bytes: bytes, settings: Any,
                                                               tsa: tuple[PkiServer, Issued], tmp_path: Any) -> None:
    from tests.records.test_eark import archived
    from vanban.records.earkexport import export_dossier
    from vanban.records.earkverify import verify_package

    dossier = archived(archive, pdf_bytes)
    settings.VANBAN_AUDIT_TSA_URL = tsa[0].tsa_url
    report = verify_package(export_dossier(dossier, tmp_path / "a.zip"))
    assert report.ok and "dấu thời gian" in report.sealed_by and "+07:00" in report.sealed_by
    settings.VANBAN_AUDIT_TSA_URL = "http://127.0.0.1:9/tsa"  # nobody answers: sealed all the same
    report = verify_package(export_dossier(dossier, tmp_path / "b.zip"))
    assert report.ok and report.sealed_by == archive.agency.name
