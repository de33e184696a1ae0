"""Issue 22's outside check, as an operator outside vanban would run it: a CA made with the
`openssl` command (not vanban's test PKI), a SoftHSM2 token initialised with `softhsm2-util`,
the signer's key and certificate written to it with OpenSC's `pkcs11-tool`; then `vanban pki
sign … --pkcs11-module` on a PDF and `vanban pki verify --trust` that CA → valid. A wrong PIN:
a clear error, exit 2, no output file, the PIN never printed."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from vanban.pki.samplepdf import make_pdf

MODULE = "/usr/lib/softhsm/libsofthsm2.so"
TOOLS = ("openssl", "softhsm2-util", "pkcs11-tool")
pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(not Path(MODULE).exists() or any(shutil.which(t) is None for t in TOOLS),
                       reason="softhsm2 / opensc / openssl not installed (.ci/run installs them)"),
]
PIN = "246810"


def _run(*args: str | Path, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(a) for a in args], env=env, cwd=cwd, capture_output=True, text=True, check=False,
                          timeout=120)


def test_outside_token_and_ca(tmp_path: Path) -> None:
    (tmp_path / "tokens").mkdir()
    (tmp_path / "softhsm2.conf").write_text(f"directories.tokendir = {tmp_path / 'tokens'}\n"
                                            "objectstore.backend = file\nlog.level = ERROR\n")
    env = {**os.environ, "SOFTHSM2_CONF": str(tmp_path / "softhsm2.conf")}
    env.pop("VANBAN_PKCS11_PIN", None)
    steps = [
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem",
         "-days", "365", "-subj", "/C=VN/O=Outside CA/CN=Outside Root",
         "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"],
        ["openssl", "req", "-newkey", "rsa:2048", "-nodes", "-keyout", "signer.key", "-out", "signer.csr",
         "-subj", "/C=VN/O=So Noi vu/CN=Nguyen Van A"],
        ["openssl", "x509", "-req", "-in", "signer.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
         "-out", "signer.pem", "-days", "200", "-extfile", "ext.cnf"],
        ["openssl", "pkcs8", "-topk8", "-nocrypt", "-in", "signer.key", "-outform", "DER", "-out", "signer.p8"],
        ["openssl", "x509", "-in", "signer.pem", "-outform", "DER", "-out", "signer.der"],
        ["softhsm2-util", "--init-token", "--free", "--label", "outside", "--so-pin", "13579246", "--pin", PIN],
        ["pkcs11-tool", "--module", MODULE, "--token-label", "outside", "--login", "--pin", PIN,
         "--write-object", "signer.p8", "--type", "privkey", "--label", "ky-so", "--id", "01"],
        ["pkcs11-tool", "--module", MODULE, "--token-label", "outside", "--login", "--pin", PIN,
         "--write-object", "signer.der", "--type", "cert", "--label", "ky-so", "--id", "01"],
    ]
    (tmp_path / "ext.cnf").write_text("basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,nonRepudiation\n")
    for step in steps:
        done = _run(*step, env=env, cwd=tmp_path)
        assert done.returncode == 0, f"{step[0]}: {done.stderr}"
    (tmp_path / "signer.key").unlink()  # the key now lives on the token only
    (tmp_path / "in.pdf").write_bytes(make_pdf("Quyet dinh thu"))
    (tmp_path / "pin").write_text(PIN + "\n")
    (tmp_path / "bad-pin").write_text("000000\n")
    vanban = [sys.executable, "-m", "vanban.cli", "pki"]
    token = ["--pkcs11-module", MODULE, "--token-label", "outside", "--key-label", "ky-so"]

    signed = _run(*vanban, "sign", "in.pdf", "out.pdf", *token, "--pin-file", "pin", env=env, cwd=tmp_path)
    assert signed.returncode == 0, signed.stderr
    verified = _run(*vanban, "verify", "out.pdf", "--trust", "ca.pem", env=env, cwd=tmp_path)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "Kết luận: HỢP LỆ" in verified.stdout and "Nguyen Van A" in verified.stdout
    untrusted = _run(*vanban, "verify", "out.pdf", env=env, cwd=tmp_path)  # the outside CA is not trusted by default
    assert untrusted.returncode != 0 and "HỢP LỆ —" not in untrusted.stdout

    wrong = _run(*vanban, "sign", "in.pdf", "wrong.pdf", *token, "--pin-file", "bad-pin", env=env, cwd=tmp_path)
    assert wrong.returncode == 2
    assert "PKI_PKCS11_BAD_PIN" in wrong.stdout + wrong.stderr and "Sai mã PIN" in wrong.stdout + wrong.stderr
    assert "000000" not in wrong.stdout + wrong.stderr and PIN not in signed.stdout + signed.stderr
    assert not (tmp_path / "wrong.pdf").exists()
