"""Session-wide throwaway PKI with a live CRL/OCSP/TSA server on 127.0.0.1."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

import pytest

from vanban.pki.samplepdf import make_pdf
from vanban.pki.signer import KeyHoldingSigner
from vanban.pki.testpki import Issued, TestPki
from vanban.pki.testserver import PkiServer
from vanban.pki.trust import TrustStore

AGENCY = "UBND tỉnh Đắk Lắk"
CODE = "000.00.00.H16"


@dataclass
class PkiEnv:
    pki: TestPki
    server: PkiServer
    tsa: Issued
    seal: Issued
    person: Issued

    def trust(self) -> TrustStore:
        return TrustStore([self.pki.root.cert])

    @staticmethod
    def signer(issued: Issued) -> KeyHoldingSigner:
        return KeyHoldingSigner(issued.key, issued.cert, issued.chain)

    @contextmanager
    def clock(self, moment: datetime) -> Iterator[None]:
        """Move the PKI's clock (CRLs, OCSP answers, timestamps) for one block."""
        saved = self.pki.clock
        self.pki.clock = lambda: moment
        try:
            yield
        finally:
            self.pki.clock = saved


@pytest.fixture(scope="session", autouse=True)
def _quiet_pyhanko() -> None:
    for name in ("pyhanko", "pyhanko_certvalidator"):
        logging.getLogger(name).setLevel(logging.CRITICAL)


@pytest.fixture(scope="session")
def env() -> Iterator[PkiEnv]:
    server = PkiServer()
    pki = TestPki(base_url=server.url)
    tsa = pki.issue_tsa()
    server.attach(pki, tsa)
    seal = pki.issue_seal(AGENCY, CODE)
    person = pki.issue_person("Nguyễn Văn An", "Chủ tịch", AGENCY, CODE)
    with server:
        yield PkiEnv(pki, server, tsa, seal, person)


@pytest.fixture(scope="session")
def pdf() -> bytes:
    return make_pdf("QUYET DINH so 12/QD-UBND ve viec thu nghiem", pages=2)
