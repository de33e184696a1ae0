"""Prepare a throwaway vanban hub for the SDK driver (our code; run by interop/sdk/run.sh).

Run with the project's Python and VANBAN_DATA_DIR / DATABASE_URL pointing at a temporary
installation: migrates, adds two agencies, one VXP system each with a test certificate
(throwaway, self-signed, labelled "KHÔNG DÙNG THẬT"), and writes for each run label a signed
document package (A → B) and a status package (B → A), plus systems.properties.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from pathlib import Path

A, B = "000.00.01.H16", "000.00.02.H16"


def _identity(code: str):
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"Thử liên thông {code} — KHÔNG DÙNG THẬT"),
                      x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, code)])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=30)).sign(key, hashes.SHA256()))
    return key, cert


def main(work: Path, runs: list[str]) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vanban.settings")
    import django

    django.setup()
    from cryptography.hazmat.primitives import serialization
    from django.core.management import call_command

    from vanban.agencies.models import Agency
    from vanban.core.clock import VN_TZ
    from vanban.edxml import (
        Attachment,
        Code,
        DocumentPackage,
        DocumentType,
        Organization,
        PromulgationInfo,
        ResponseFor,
        SignerInfo,
        StatusCode,
        StatusPackage,
        build_package,
        build_status,
        sign_package,
    )
    from vanban.hub import services, vxp_systems

    call_command("migrate", "--no-input", verbosity=0)
    Agency.objects.get_or_create(code=A, defaults={"name": "Văn phòng UBND tỉnh (thử)"})
    Agency.objects.get_or_create(code=B, defaults={"name": "Sở Nội vụ (thử)"})
    keys = {}
    lines = []
    for code, label in ((A, "a"), (B, "b")):
        key, cert = _identity(code)
        keys[code] = (key, cert)
        system, secret = vxp_systems.create_system(name=f"sdk-{label}", codes=[code], system_id=f"vxp.interop.{label}",
                                                   actor="interop")
        services.add_certificates(code=code, pem=cert.public_bytes(serialization.Encoding.PEM), actor="interop")
        lines += [f"{label}.code={code}", f"{label}.system={system.system_id}", f"{label}.secret={secret}"]
    for number, run in enumerate(runs, start=1):
        day = dt.date.today()
        doc_id = f"{A},{day:%Y/%m/%d},{number}/UBND-VP"
        package = DocumentPackage(
            from_=Organization(A, "Văn phòng UBND tỉnh (thử)"), to=(Organization(B, "Sở Nội vụ (thử)"),),
            document_id=doc_id, code=Code(str(number), "UBND-VP"),
            promulgation_info=PromulgationInfo(day, "Buôn Ma Thuột"), document_type=DocumentType("Công văn"),
            subject=f"V/v thử liên thông với SDK VXP ({run})",
            signer_info=SignerInfo("KT. CHỦ TỊCH", "Phó Chủ tịch", "Nguyễn Văn An"),
            attachments=(Attachment("cong-van.pdf", b"%PDF-1.4 thu lien thong\n", "application/pdf"),))
        (work / f"document-{run}.edxml").write_bytes(sign_package(build_package(package), *keys[A]))
        status = StatusPackage(
            from_=Organization(B, "Sở Nội vụ (thử)"),
            response_for=ResponseFor(A, f"{number}/UBND-VP", day, doc_id), status_code=StatusCode("01"),
            timestamp=dt.datetime.now(VN_TZ).replace(microsecond=0), description="Đã đến")
        (work / f"status-{run}.edxml").write_bytes(sign_package(build_status(status), *keys[B]))
    (work / "systems.properties").write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main(Path(sys.argv[1]), sys.argv[2:])
