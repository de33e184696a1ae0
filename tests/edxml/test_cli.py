"""`vanban edxml …`: the exact JSON contract and exit codes 0 / 2 / 3."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.edxml.fixtures.make_fixtures import PDF
from tests.edxml.samples import FIXTURES
from vanban.cli import main as vanban

pytestmark = pytest.mark.unit


def run(capsys, *args: str) -> tuple[int, dict]:
    code = vanban(["edxml", *args])
    out = capsys.readouterr().out
    return code, json.loads(out)


@pytest.fixture
def pki(tmp_path, agency, stranger) -> dict[str, Path]:
    paths = {"key": tmp_path / "key.pem", "cert": tmp_path / "cert.pem",
             "other": tmp_path / "other.pem"}
    paths["key"].write_bytes(agency.key_pem())
    paths["cert"].write_bytes(agency.cert_pem())
    paths["other"].write_bytes(stranger.cert_pem())
    return paths


@pytest.fixture
def spec(tmp_path) -> Path:
    (tmp_path / "files").mkdir()
    (tmp_path / "files" / "cong-van.pdf").write_bytes(PDF)
    spec = {
        "kind": "document",
        "from": {"code": "000.00.00.H16", "name": "UBND tỉnh Đắk Lắk"},
        "to": [{"code": "000.00.00.G22", "name": "Văn phòng Chính phủ"},
               {"code": "000.01.00.H16", "name": "Sở Nội vụ"}],
        "code_number": "12", "code_notation": "UBND-VP",
        "promulgation_date": "2025-03-01", "promulgation_place": "Buôn Ma Thuột",
        "document_type": "Công văn",
        "subject": "V/v thử nghiệm liên thông",
        "signer": {"competence": "KT. CHỦ TỊCH", "position": "Phó Chủ tịch", "full_name": "Nguyễn Văn An"},
        "other_info": {"priority": 1},
        "trace": [{"organ_id": "000.00.00.H16", "timestamp": "2025-03-01T08:30:00+07:00"}],
        "attachments": [{"path": "files/cong-van.pdf", "description": "Bản ký số"}],
    }
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(spec, ensure_ascii=False), encoding="utf-8")
    return path


def test_inspect_national_sdk_fixture(capsys):
    code, out = run(capsys, "inspect", str(FIXTURES / "national_sdk_zipped.edxml"))
    assert code == 0
    assert out == {
        "kind": "document",
        "document_id": "000.00.00.G22,2025/03/01,7816/VPCP-TTĐT",
        "from": {"code": "000.00.00.G22", "name": "Văn phòng Chính phủ"},
        "to": [{"code": "000.00.00.H16", "name": "UBND tỉnh Đắk Lắk"}],
        "code_number": "7816",
        "code_notation": "VPCP-TTĐT",
        "promulgation_date": "2025-03-01",
        "document_type": "Công văn",
        "subject": "V/v kết nối, liên thông phần mềm quản lý văn bản",
        "business_type": 0,
        "status_code": None,
        "response_for": [],
        "attachments": [{"name": "HUONG DAN.SIGNED.PDF", "content_type": "application/pdf",
                         "size": len(PDF), "sha256": hashlib.sha256(PDF).hexdigest()}],
        "signed": True,
        "warnings": [],
    }


def test_inspect_status(capsys):
    code, out = run(capsys, "inspect", str(FIXTURES / "status_05.edxml"))
    assert code == 0
    assert out["kind"] == "status" and out["status_code"] == "05"
    assert out["response_for"]["document_id"] == "000.00.00.G22,2025/03/01,7816/VPCP-TTĐT"
    assert out["from"] == {"code": "000.00.00.H41", "name": "UBND tỉnh Nghệ An"}
    assert out["attachments"] == [] and out["signed"] is False


def test_inspect_strict_refusal_and_lenient(capsys):
    path = str(FIXTURES / "status_14.edxml")
    code, out = run(capsys, "inspect", path)
    assert code == 2 and out["error"]["code"] == "EDXML_BAD_STATUS_CODE"
    code, out = run(capsys, "inspect", path, "--lenient")
    assert code == 0 and out["status_code"] == "15"
    assert any(w.startswith("EDXML_STATUS_14") for w in out["warnings"])


def test_inspect_hostile_is_exit_2(capsys, tmp_path):
    path = tmp_path / "xxe.edxml"
    path.write_bytes(b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><edXML>&e;</edXML>')
    code, out = run(capsys, "inspect", str(path))
    assert code == 2 and out == {"error": {"code": "EDXML_DTD_FORBIDDEN", "message": out["error"]["message"]}}


def test_inspect_one_gigabyte_file_is_refused_at_once(capsys, tmp_path):
    path = tmp_path / "big.edxml"
    with open(path, "wb") as fh:
        fh.truncate(1024**3)
    started = time.perf_counter()
    code, out = run(capsys, "inspect", str(path))
    assert code == 2 and out["error"]["code"] == "EDXML_TOO_LARGE"
    assert time.perf_counter() - started < 0.5


def test_missing_file_and_bad_arguments(capsys, tmp_path):
    code, out = run(capsys, "inspect", str(tmp_path / "none.edxml"))
    assert code == 2 and out["error"]["code"] == "EDXML_IO_ERROR"
    code, out = run(capsys, "verify", str(tmp_path / "none.edxml"))  # --cert missing
    assert code == 2 and out["error"]["code"] == "EDXML_USAGE"
    code, out = run(capsys, "frobnicate")
    assert code == 2 and out["error"]["code"] == "EDXML_USAGE"


def test_build_sign_verify_inspect(capsys, tmp_path, spec, pki):
    plain = tmp_path / "plain.edxml"
    code, out = run(capsys, "build", str(spec), "--out", str(plain))
    assert code == 0 and out["signed"] is False
    assert out["document_id"] == "000.00.00.H16,2025/03/01,12/UBND-VP"

    code, out = run(capsys, "verify", str(plain), "--cert", str(pki["cert"]))
    assert code == 3 and out["valid"] is False and out["code"] == "EDXML_SIGNATURE_MISSING"

    signed = tmp_path / "signed.edxml"
    code, out = run(capsys, "sign", str(plain), "--key", str(pki["key"]), "--cert", str(pki["cert"]),
                    "--out", str(signed))
    assert code == 0
    code, out = run(capsys, "verify", str(signed), "--cert", str(pki["other"]), "--cert", str(pki["cert"]))
    assert code == 0 and out["valid"] is True and "UBND tỉnh Đắk Lắk" in out["signer"]
    code, out = run(capsys, "verify", str(signed), "--cert", str(pki["other"]))
    assert code == 3 and out["valid"] is False

    code, out = run(capsys, "inspect", str(signed))
    assert code == 0 and out["signed"] is True and out["business_type"] == 0
    assert out["to"] == [{"code": "000.00.00.G22", "name": "Văn phòng Chính phủ"},
                         {"code": "000.01.00.H16", "name": "Sở Nội vụ"}]
    assert out["attachments"] == [{"name": "cong-van.pdf", "content_type": "application/pdf",
                                   "size": len(PDF), "sha256": hashlib.sha256(PDF).hexdigest()}]

    tampered = tmp_path / "tampered.edxml"
    tampered.write_bytes(signed.read_bytes().replace("thử nghiệm".encode(), b"thu nghiem"))
    code, out = run(capsys, "verify", str(tampered), "--cert", str(pki["cert"]))
    assert code == 3 and out["code"] == "EDXML_SIGNATURE_INVALID"


def test_build_is_deterministic_and_can_sign(capsys, tmp_path, spec, pki):
    a, b, s = tmp_path / "a.edxml", tmp_path / "b.edxml", tmp_path / "s.edxml"
    assert run(capsys, "build", str(spec), "--out", str(a))[0] == 0
    assert run(capsys, "build", str(spec), "--out", str(b))[0] == 0
    assert a.read_bytes() == b.read_bytes()
    code, out = run(capsys, "build", str(spec), "--out", str(s), "--key", str(pki["key"]),
                    "--cert", str(pki["cert"]))
    assert code == 0 and out["signed"] is True
    assert run(capsys, "verify", str(s), "--cert", str(pki["cert"]))[0] == 0


def test_build_status(capsys, tmp_path):
    spec = tmp_path / "status.json"
    spec.write_text(json.dumps({
        "kind": "status", "status_code": "03",
        "from": {"code": "000.00.00.H41", "name": "UBND tỉnh Nghệ An"},
        "response_for": {"organ_id": "000.00.00.G22", "code": "7816/VPCP-TTĐT",
                         "promulgation_date": "2025-03-01",
                         "document_id": "000.00.00.G22,2025/03/01,7816/VPCP-TTĐT"},
        "description": "Đã tiếp nhận", "timestamp": "2025-03-02T09:00:00+07:00",
    }), encoding="utf-8")
    out_path = tmp_path / "status.edxml"
    assert run(capsys, "build", str(spec), "--out", str(out_path))[0] == 0
    assert b"<edXML:Timestamp>2025/03/02 09:00:00</edXML:Timestamp>" in out_path.read_bytes()
    code, out = run(capsys, "inspect", str(out_path))
    assert code == 0 and out["status_code"] == "03"


def test_bad_spec_is_exit_2(capsys, tmp_path):
    spec = tmp_path / "bad.json"
    spec.write_text('{"kind": "document", "from": {"code": "000.00.00.H16"}}', encoding="utf-8")
    code, out = run(capsys, "build", str(spec), "--out", str(tmp_path / "x.edxml"))
    assert code == 2 and out["error"]["code"] == "EDXML_BAD_SPEC"
    assert not (tmp_path / "x.edxml").exists()


def test_installed_console_script(tmp_path):
    exe = Path(sys.executable).parent / "vanban"
    proc = subprocess.run([str(exe), "edxml", "inspect", str(FIXTURES / "default_ns_plain.edxml")],
                          capture_output=True, timeout=60, check=False)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout.decode("utf-8"))
    assert [t["code"] for t in out["to"]] == ["000.00.00.H41", "000.00.00.H14", "000.00.00.G17"]
