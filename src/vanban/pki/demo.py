"""`vanban pki demo-init`: the demo PKI on disk (CA certificates, CRLs, PKCS#12 files).

THROWAWAY MATERIAL for demos and manual tests: the README written beside it says so.
Idempotent: a directory that already holds `manifest.json` is left as it is.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization

from vanban.core.clock import now_vn, to_iso
from vanban.pki.testpki import Issued, TestPki

__all__ = ["DEMO_PASSWORD", "DemoResult", "default_demo_dir", "demo_init"]

DEMO_PASSWORD = "vanban-demo"
DEMO_BASE_URL = "http://127.0.0.1:8790"

# (file stem, kind, name, position, agency name, agency code)
_PEOPLE = [
    ("chu-tich-ubnd-h16", "Nguyễn Văn An", "Chủ tịch", "UBND tỉnh Đắk Lắk", "000.00.00.H16"),
    ("pho-chu-tich-ubnd-h16", "Trần Thị Bình", "Phó Chủ tịch", "UBND tỉnh Đắk Lắk",
     "000.00.00.H16"),
    ("giam-doc-so-noi-vu", "Lê Văn Cường", "Giám đốc", "Sở Nội vụ tỉnh Đắk Lắk", "000.00.01.H16"),
    ("giam-doc-so-tai-chinh", "Phạm Thị Dung", "Giám đốc", "Sở Tài chính tỉnh Đắk Lắk",
     "000.00.02.H16"),
]
_SEALS = [
    ("UBND tỉnh Đắk Lắk", "000.00.00.H16"),
    ("Sở Nội vụ tỉnh Đắk Lắk", "000.00.01.H16"),
    ("Sở Tài chính tỉnh Đắk Lắk", "000.00.02.H16"),
]

_README = """TÀI LIỆU THỬ NGHIỆM — KHÔNG DÙNG THẬT / THROWAWAY TEST MATERIAL

Hạ tầng khóa công khai (PKI) demo do `vanban pki demo-init` sinh ra. Mọi khóa bí mật ở đây
chỉ dùng để thử nghiệm; không bao giờ dùng để ký văn bản thật.

ca/root.pem          chứng thư CA gốc (đưa vào kho tin cậy: --trust ca/root.pem)
ca/issuing-ca.pem    CA cấp cho cơ quan nhà nước
ca/chain.pem         chuỗi CA (issuing + root)
crl/*.crl            danh sách thu hồi (DER)
p12/*.p12            khóa + chứng thư (PKCS#12), mật khẩu: {password}
private/*.key.pem    khóa CA (để dựng lại máy chủ OCSP/CRL demo)
Địa chỉ CRL/OCSP ghi trong chứng thư: {base_url} (không có máy chủ nào chạy sẵn).
"""


@dataclass
class DemoResult:
    directory: Path
    created: list[Path]
    existed: bool


def default_demo_dir() -> Path:
    return Path(os.environ.get("VANBAN_DATA_DIR") or "var") / "pki"


def demo_init(out: Path | None = None, *, password: str = DEMO_PASSWORD) -> DemoResult:
    directory = Path(out) if out is not None else default_demo_dir()
    manifest = directory / "manifest.json"
    if manifest.exists():
        listed = json.loads(manifest.read_text(encoding="utf-8")).get("files", [])
        return DemoResult(directory, [directory / f for f in listed], existed=True)

    pki = TestPki(base_url=DEMO_BASE_URL, prefix="VANBAN DEMO")
    files: dict[str, bytes] = {
        "ca/root.pem": pki.root.cert_pem(),
        "ca/issuing-ca.pem": pki.ca.cert_pem(),
        "ca/chain.pem": pki.chain_pem(),
        "crl/root.crl": pki.crl("root"),
        "crl/ca.crl": pki.crl("ca"),
        "private/root-ca.key.pem": pki.root.key_pem(),
        "private/issuing-ca.key.pem": pki.ca.key_pem(),
    }
    entities: list[tuple[str, Issued]] = []
    for agency, code in _SEALS:
        entities.append((f"con-dau-{code}", pki.issue_seal(agency, code)))
    for stem, name, position, agency, code in _PEOPLE:
        entities.append((stem, pki.issue_person(name, position, agency, code, name=stem)))
    entities.append(("he-thong-qlvb-h16", pki.issue_system("Hệ thống QLVB UBND tỉnh Đắk Lắk",
                                                           "UBND tỉnh Đắk Lắk", "000.00.00.H16")))
    entities.append(("tsa", pki.issue_tsa()))
    for stem, issued in entities:
        files[f"p12/{stem}.p12"] = issued.pkcs12(password.encode())
        files[f"certs/{stem}.pem"] = issued.cert.public_bytes(serialization.Encoding.PEM)
    files["README.txt"] = _README.format(password=password, base_url=DEMO_BASE_URL).encode()

    created = []
    for rel, data in files.items():
        path = directory / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        if rel.startswith(("private/", "p12/")):
            path.chmod(0o600)
        created.append(path)
    manifest.write_text(json.dumps({
        "created_at": to_iso(now_vn()), "password": password, "base_url": DEMO_BASE_URL,
        "test_material": True, "files": sorted(files),
    }, ensure_ascii=False, indent=2), encoding="utf-8")
    created.append(manifest)
    return DemoResult(directory, created, existed=False)
