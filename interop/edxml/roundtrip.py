"""Python half of interop/edxml (our code): the files, our package, and the byte comparisons.

    roundtrip.py prepare WORK   files under WORK/files, vanban's signed package WORK/ours.edxml
    roundtrip.py check WORK     compares what VNPT's parser read from ours.edxml (WORK/java-read.txt,
                                WORK/java-out/<n>.bin) and what vanban reads from VNPT's
                                WORK/theirs.edxml against the files; both parsers on the real
                                packages of tests/edxml/real (WORK/real/<name>.txt); reads VNPT's
                                relay of our package
Prints PASS/FAIL lines; exit 1 on any FAIL.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
import sys
import zipfile
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from vanban.core.clock import VN_TZ
from vanban.edxml import (
    Attachment,
    Code,
    DocumentPackage,
    DocumentType,
    EdxmlError,
    Organization,
    PromulgationInfo,
    SignerInfo,
    TraceHeader,
    build_package,
    parse_package,
    sign_package,
    verify_package,
)
from vanban.edxml.signature import signature_certificates

REAL = Path(__file__).resolve().parents[2] / "tests" / "edxml" / "real"


def _zip(entries: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in entries.items():  # fixed time: the same bytes at prepare and at check
            zf.writestr(zipfile.ZipInfo(name, date_time=(2026, 1, 15, 8, 0, 0)), data)
    return out.getvalue()


def files() -> dict[str, bytes]:
    """Every shape VNPT's builder and parser treat differently (by extension and by zip-ness)."""
    rnd = hashlib.sha256(b"vanban interop").digest()
    noise = b"".join(hashlib.sha256(rnd + i.to_bytes(4, "big")).digest() for i in range(6000))
    return {
        "Quyết định 15-QĐ-UBND.pdf": b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n" + noise[:60000] + b"\n%%EOF\n",
        "du-thao.docx": _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>" * 50}),
        "bang-tong-hop.xlsx": _zip({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>"}),
        "ghi chú.txt": "Ghi chú tiếng Việt: Đắk Lắk, Nghệ An.\n".encode() * 40,
        "ho-so-dinh-kem.zip": _zip({"bien-ban.txt": b"one entry: must arrive still zipped"}),
        "du-lieu.bin": noise,
        "cong-van-cu.doc": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + noise[:9000],
    }


def _identity() -> tuple[rsa.RSAPrivateKey, x509.Certificate]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
                      x509.NameAttribute(NameOID.COMMON_NAME, "UBND tỉnh Đắk Lắk (interop)")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=30)).sign(key, hashes.SHA256()))
    return key, cert


def prepare(work: Path) -> None:
    (work / "files").mkdir(parents=True, exist_ok=True)
    attachments = []
    for name, data in files().items():
        (work / "files" / name).write_bytes(data)
        attachments.append(Attachment(name, data, ""))
    now = dt.datetime.now(VN_TZ).replace(microsecond=0)
    doc = DocumentPackage(
        from_=Organization("000.00.00.H16", "UBND tỉnh Đắk Lắk"),
        to=(Organization("000.00.00.H41", "UBND tỉnh Nghệ An"),),
        document_id="",
        code=Code("15", "QĐ-UBND"),
        promulgation_info=PromulgationInfo(now.date(), "Buôn Ma Thuột"),
        document_type=DocumentType("Quyết định", "1"),
        subject="Kiểm thử liên thông: gói tin do vanban tạo",
        signer_info=SignerInfo("KT. CHỦ TỊCH", "Phó Chủ tịch", "Nguyễn Văn An"),
        trace_headers=(TraceHeader("000.00.00.H16", now),),
        attachments=tuple(attachments),
    )
    key, cert = _identity()
    (work / "ours.edxml").write_bytes(sign_package(build_package(doc), key, cert))
    print(f"prepared {len(attachments)} files and {work / 'ours.edxml'}")


def check(work: Path) -> int:
    expected = files()
    failures = 0

    def report(ok: bool, what: str) -> None:
        nonlocal failures
        failures += not ok
        print(f"{'PASS' if ok else 'FAIL'} {what}")

    # 1. VNPT's parser read vanban's package
    lines = [ln.split("\t") for ln in (work / "java-read.txt").read_text(encoding="utf-8").splitlines()]
    seen = {}
    for parts in lines:
        if parts[0] == "attachment":
            seen[parts[2]] = (work / "java-out" / f"{parts[1]}.bin").read_bytes()
    for name, data in expected.items():
        got = seen.get(name)
        report(got == data, f"VNPT's parser reads vanban's '{name}' byte-identical"
               + ("" if got == data else f" (got {len(got) if got is not None else 'nothing'} bytes, "
                                          f"want {len(data)})"))
    sig = next((p for p in lines if p[0] == "signature"), ["signature", "none"])
    report(sig[1] != "none" and "value_chars=0" not in sig and "cert_chars=0" not in sig,
           "VNPT's parser reads vanban's Signature (value, digest, certificate): " + " ".join(sig[1:3]))

    # 2. vanban reads VNPT's package
    theirs = (work / "theirs.edxml").read_bytes()
    for strict in (True, False):
        mode = "strict" if strict else "lenient"
        try:
            parsed = parse_package(theirs, strict=strict)
        except EdxmlError as exc:
            report(False, f"vanban ({mode}) reads VNPT's package: {exc}")
            continue
        got = {a.original_name: a.read() for a in parsed.attachments}
        for name, data in expected.items():
            report(got.get(name) == data, f"vanban ({mode}) reads VNPT's '{name}' byte-identical")

    # 3. real packages (tests/edxml/real): both parsers give the same files
    for listing in sorted((work / "real").glob("*.txt")):
        name = listing.stem
        try:
            parsed = parse_package((REAL / f"{name}.edxml").read_bytes(), strict=False)
        except EdxmlError as exc:
            report(False, f"vanban (lenient) reads real package {name}: {exc}")
            continue
        ours = {a.original_name: a.read() for a in parsed.attachments}
        theirs = {}
        for parts in (ln.split("\t") for ln in listing.read_text(encoding="utf-8").splitlines()):
            if parts[0] == "attachment":
                theirs[parts[2]] = (work / "real" / name / f"{parts[1]}.bin").read_bytes()
        report(ours == theirs, f"real package {name}: vanban and VNPT's parser give the same "
                               f"{len(ours)} file(s)")

    # 4. a hub built on VNPT's library relays our package: what becomes of our signature
    relayed = work / "relayed.edxml"
    if relayed.exists():
        data = relayed.read_bytes()
        certs = signature_certificates(data)
        result = verify_package(data, certs) if certs else None
        verdict = "no certificate left" if result is None else (
            "valid" if result.valid else f"{result.code}: {result.reason}")
        print(f"INFO our signature after a VNPT-library relay: {verdict}")
        parsed = parse_package(data, strict=False)
        got = {a.original_name: a.read() for a in parsed.attachments}
        report(all(got.get(n) == d for n, d in expected.items()),
               "vanban reads our files byte-identical after a VNPT-library relay")
    return 1 if failures else 0


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in {"prepare", "check"}:
        print(__doc__)
        sys.exit(2)
    os.environ.setdefault("TZ", "Asia/Ho_Chi_Minh")
    target = Path(sys.argv[2])
    if sys.argv[1] == "prepare":
        prepare(target)
    else:
        sys.exit(check(target))
