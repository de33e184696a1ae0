"""`vanban pki` sub-commands: exit codes 0 / 2 / 3, JSON output, demo-init idempotence."""

from __future__ import annotations

import json

import pytest

from vanban.pki.cli import main

pytestmark = pytest.mark.integration


@pytest.fixture
def files(tmp_path, env, pdf):
    root = tmp_path / "root.pem"
    root.write_bytes(env.pki.root.cert_pem())
    p12 = tmp_path / "leader.p12"
    p12.write_bytes(env.person.pkcs12(b"pw"))
    seal = tmp_path / "seal.p12"
    seal.write_bytes(env.seal.pkcs12(None))
    src = tmp_path / "in.pdf"
    src.write_bytes(pdf)
    return {"root": root, "p12": p12, "seal": seal, "in": src, "dir": tmp_path}


def test_sign_then_verify_exits_0(files, capsys):
    out1, out2 = files["dir"] / "a.pdf", files["dir"] / "b.pdf"
    assert main(["sign", str(files["in"]), str(out1), "--p12", str(files["p12"]),
                 "--password", "pw", "--reason", "Ký ban hành"]) == 0
    assert main(["sign", str(out1), str(out2), "--p12", str(files["seal"]), "--seal"]) == 0
    capsys.readouterr()
    assert main(["verify", str(out2), "--trust", str(files["root"])]) == 0
    text = capsys.readouterr().out
    assert "Kết luận: HỢP LỆ" in text and "000.00.00.H16" in text and "Chủ tịch" in text


def test_verify_json_contains_the_report(files, capsys):
    out = files["dir"] / "a.pdf"
    main(["sign", str(files["in"]), str(out), "--p12", str(files["p12"]), "--password", "pw"])
    capsys.readouterr()
    assert main(["verify", str(out), "--trust", str(files["root"]), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["verdict"] == "valid" and data["signature_count"] == 1
    assert data["signatures"][0]["signer"]["common_name"] == "Nguyễn Văn An"


def test_verify_without_trust_or_tampered_exits_3(files, capsys):
    out = files["dir"] / "a.pdf"
    main(["sign", str(files["in"]), str(out), "--p12", str(files["p12"]), "--password", "pw"])
    assert main(["verify", str(out)]) == 3  # unknown root: indeterminate
    data = out.read_bytes()
    at = data.index(b"QUYET DINH")
    bad = files["dir"] / "bad.pdf"
    bad.write_bytes(data[:at] + b"Z" + data[at + 1:])
    assert main(["verify", str(bad), "--trust", str(files["root"]), "--json"]) == 3
    capsys.readouterr()
    assert main(["verify", str(files["in"]), "--trust", str(files["root"])]) == 3  # unsigned
    assert "không có chữ ký số" in capsys.readouterr().out


def test_unreadable_inputs_exit_2(files, capsys):
    junk = files["dir"] / "junk.pdf"
    junk.write_bytes(b"this is not a pdf")
    assert main(["verify", str(junk), "--trust", str(files["root"])]) == 2
    assert "PKI_NOT_A_PDF" in capsys.readouterr().err
    assert main(["verify", str(files["dir"] / "missing.pdf")]) == 2
    assert main(["sign", str(files["in"]), str(files["dir"] / "o.pdf"), "--p12",
                 str(files["p12"]), "--password", "nope"]) == 2
    assert main(["verify"]) == 2  # usage


def test_demo_init_is_idempotent(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("VANBAN_DATA_DIR", str(tmp_path))
    assert main(["demo-init"]) == 0
    first = capsys.readouterr().out
    target = tmp_path / "pki"
    root = (target / "ca" / "root.pem").read_bytes()
    assert (target / "p12" / "con-dau-000.00.00.H16.p12").exists()
    assert "KHÔNG DÙNG THẬT" in (target / "README.txt").read_text(encoding="utf-8")
    assert "Đã tạo" in first
    assert main(["demo-init"]) == 0
    assert "đã có sẵn" in capsys.readouterr().out
    assert (target / "ca" / "root.pem").read_bytes() == root


def test_demo_material_signs_and_verifies(tmp_path, pdf, capsys):
    main(["demo-init", "--out", str(tmp_path)])
    src, out = tmp_path / "in.pdf", tmp_path / "out.pdf"
    src.write_bytes(pdf)
    assert main(["sign", str(src), str(out), "--p12", str(tmp_path / "p12" /
                 "chu-tich-ubnd-h16.p12"), "--password", "vanban-demo"]) == 0
    # demo CRL/OCSP URLs are not served: offline soft-fail, still valid, and said so
    assert main(["verify", str(out), "--trust", str(tmp_path / "ca" / "root.pem"),
                 "--offline"]) == 0
    assert "Không kiểm tra được tình trạng thu hồi" in capsys.readouterr().out
