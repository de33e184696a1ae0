"""PAdES signing and validation for vanban (pure Python, no Django).

    from vanban.pki import TrustStore, load_pkcs12, sign_pdf, validate_pdf

    signed = sign_pdf(pdf, load_pkcs12("leader.p12", "pw"), role="person")
    report = validate_pdf(signed, TrustStore.from_files(["root.pem"]))
    report.verdict  # "valid" | "invalid" | "indeterminate"

The names below are loaded on first use (PEP 562): importing a submodule such as
`vanban.pki.tsp` or `vanban.pki.revocation` must not pull in pyHanko's signers and PDF
writer (~0.6 s), which every Django start-up would otherwise pay through the audit anchor.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

_EXPORTS: dict[str, str] = {
    "CertIdentity": "identity",
    "Finding": "report",
    "KeyHoldingSigner": "signer",
    "PkiError": "errors",
    "SignatureBox": "appearance",
    "SignatureReport": "report",
    "Signer": "signer",
    "TrustAnchor": "trust",
    "TrustStore": "trust",
    "ValidationReport": "report",
    "identify": "identity",
    "load_certificates": "trust",
    "load_pkcs12": "signer",
    "sign_pdf": "sign",
    "validate_pdf": "validate",
}

__all__ = [  # the names of _EXPORTS (a test keeps the two equal)
    "CertIdentity",
    "Finding",
    "KeyHoldingSigner",
    "PkiError",
    "SignatureBox",
    "SignatureReport",
    "Signer",
    "TrustAnchor",
    "TrustStore",
    "ValidationReport",
    "identify",
    "load_certificates",
    "load_pkcs12",
    "sign_pdf",
    "validate_pdf",
]

if TYPE_CHECKING:
    from vanban.pki.appearance import SignatureBox
    from vanban.pki.errors import PkiError
    from vanban.pki.identity import CertIdentity, identify
    from vanban.pki.report import Finding, SignatureReport, ValidationReport
    from vanban.pki.sign import sign_pdf
    from vanban.pki.signer import KeyHoldingSigner, Signer, load_pkcs12
    from vanban.pki.trust import TrustAnchor, TrustStore, load_certificates
    from vanban.pki.validate import validate_pdf


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'vanban.pki' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"vanban.pki.{module}"), name)
    globals()[name] = value  # the next look-up is a plain attribute
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
