"""PAdES signing and validation for vanban (pure Python, no Django).

    from vanban.pki import TrustStore, load_pkcs12, sign_pdf, validate_pdf

    signed = sign_pdf(pdf, load_pkcs12("leader.p12", "pw"), role="person")
    report = validate_pdf(signed, TrustStore.from_files(["root.pem"]))
    report.verdict  # "valid" | "invalid" | "indeterminate"
"""

from vanban.pki.appearance import SignatureBox
from vanban.pki.errors import PkiError
from vanban.pki.identity import CertIdentity, identify
from vanban.pki.report import Finding, SignatureReport, ValidationReport
from vanban.pki.sign import sign_pdf
from vanban.pki.signer import KeyHoldingSigner, Signer, load_pkcs12
from vanban.pki.trust import TrustAnchor, TrustStore, load_certificates
from vanban.pki.validate import validate_pdf

__all__ = [
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
