"""The local signing agent over real HTTP with a SoftHSM2 token standing in for the official's
USB token: the server prepares a PDF (pki.deferred), the "page" pairs with the agent, sends
what must be signed, and the signature the token makes completes a PDF that validates under
the outside CA. Refused: a page of another origin, an unpaired page, a wrong pairing code
(locked after five), a body too large, a request the official declines."""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from cryptography import x509

from tests.hub.live_hubs import free_port
from tests.pki.test_pkcs11_outside import MODULE, PIN, TOOLS, _run
from vanban.pki import TrustStore, validate_pdf
from vanban.pki.deferred import complete_signature, prepare_signature
from vanban.pki.samplepdf import make_pdf

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(not Path(MODULE).exists() or any(shutil.which(t) is None for t in TOOLS),
                       reason="softhsm2 / opensc / openssl not installed (.ci/run installs them)"),
]
PAGE = "https://vanban.daklak.example"


def _token(tmp_path: Path, env: dict[str, str]) -> None:
    """An outside CA and a signer's key + certificate on a fresh SoftHSM token labelled 'usb'."""
    (tmp_path / "ext.cnf").write_text("basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,nonRepudiation\n")
    for step in (
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days",
         "30", "-subj", "/C=VN/O=CA ngoai/CN=CA ngoai", "-addext", "basicConstraints=critical,CA:TRUE",
         "-addext", "keyUsage=critical,keyCertSign,cRLSign"],
        ["openssl", "req", "-newkey", "rsa:2048", "-nodes", "-keyout", "k.pem", "-out", "k.csr", "-subj",
         "/C=VN/O=So Noi vu/CN=Y Khu Eban"],
        ["openssl", "x509", "-req", "-in", "k.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-out",
         "signer.pem", "-days", "20", "-extfile", "ext.cnf"],
        ["openssl", "pkcs8", "-topk8", "-nocrypt", "-in", "k.pem", "-outform", "DER", "-out", "k.p8"],
        ["openssl", "x509", "-in", "signer.pem", "-outform", "DER", "-out", "signer.der"],
        ["softhsm2-util", "--init-token", "--free", "--label", "usb", "--so-pin", "13579246", "--pin", PIN],
        ["pkcs11-tool", "--module", MODULE, "--token-label", "usb", "--login", "--pin", PIN, "--write-object", "k.p8",
         "--type", "privkey", "--label", "ky", "--id", "07"],
        ["pkcs11-tool", "--module", MODULE, "--token-label", "usb", "--login", "--pin", PIN, "--write-object",
         "signer.der", "--type", "cert", "--label", "ky", "--id", "07"],
    ):
        done = _run(*step, env=env, cwd=tmp_path)
        assert done.returncode == 0, f"{step[0]}: {done.stderr}"
    (tmp_path / "k.pem").unlink()
    (tmp_path / "pin").write_text(PIN + "\n")


def softhsm_env(tmp_path: Path) -> dict[str, str]:
    """A fresh SoftHSM2 token directory for this test only."""
    (tmp_path / "tokens").mkdir()
    (tmp_path / "softhsm2.conf").write_text(f"directories.tokendir = {tmp_path / 'tokens'}\n"
                                            "objectstore.backend = file\nlog.level = ERROR\n")
    env = {**os.environ, "SOFTHSM2_CONF": str(tmp_path / "softhsm2.conf"), "PYTHONUNBUFFERED": "1"}
    env.pop("VANBAN_PKCS11_PIN", None)
    return env


@contextmanager
def running_agent(cwd: Path, env: dict[str, str], origin: str) -> Iterator[tuple[str, str]]:
    """(URL, pairing code) of `vanban signer agent --auto-confirm` on token 'usb', key 'ky', with
    `pin` and `ca.pem` in `cwd`; stopped afterwards whatever happens."""
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "vanban.cli", "signer", "agent", "--pkcs11-module", MODULE,
                             "--token-label", "usb", "--key-label", "ky", "--pin-file", "pin", "--chain", "ca.pem",
                             "--allow-origin", origin, "--port", str(port), "--auto-confirm"],
                            cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines: list[str] = []
    started = threading.Event()

    def read() -> None:
        for line in proc.stdout:  # type: ignore[union-attr]
            lines.append(line)
            if line.startswith("Mã ghép nối: "):
                started.set()

    threading.Thread(target=read, daemon=True).start()
    try:  # the agent goes away whatever happens, startup failures included
        assert started.wait(60), "agent did not start:\n" + "".join(lines)
        code = next(line for line in lines if line.startswith("Mã ghép nối: ")).split(": ", 1)[1].strip()
        assert PIN not in "".join(lines)
        yield f"http://127.0.0.1:{port}", code
    finally:
        proc.terminate()
        proc.wait(timeout=20)


@pytest.fixture
def agent(tmp_path: Path) -> Iterator[tuple[str, str]]:
    """(agent URL, pairing code) of a running `vanban signer agent --auto-confirm`."""
    env = softhsm_env(tmp_path)
    _token(tmp_path, env)
    with running_agent(tmp_path, env, PAGE) as running:
        yield running


def _call(url: str, *, origin: str | None = PAGE, body: dict | bytes | None = None,
          token: str = "") -> tuple[int, dict]:
    data = body if isinstance(body, bytes) else (json.dumps(body).encode() if body is not None else None)
    request = urllib.request.Request(url, data=data, method="POST" if data is not None else "GET")
    if origin:
        request.add_header("Origin", origin)
    if data is not None:
        request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=30) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"{}")


def test_a_page_signs_through_the_agent(agent: tuple[str, str], tmp_path: Path) -> None:
    url, code = agent
    cert = x509.load_pem_x509_certificate((tmp_path / "signer.pem").read_bytes())
    ca = x509.load_pem_x509_certificate((tmp_path / "ca.pem").read_bytes())
    prepared = prepare_signature(make_pdf("Quyet dinh ky qua token"), cert, [ca])
    request = {"data": base64.b64encode(prepared.to_be_signed).decode(), "subject": "Quyết định thử",
               "document_sha256": "ab" * 32}

    assert _call(f"{url}/status", origin=None)[0] == 403  # no Origin: not a page we know
    assert _call(f"{url}/status", origin="https://evil.example")[0] == 403
    status, info = _call(f"{url}/status")
    assert (status, info["token"], info["signer"], info["paired"]) == (200, "usb", "Y Khu Eban", False)
    assert _call(f"{url}/sign", body=request)[1]["error"]["code"] == "AGENT_NOT_PAIRED"
    assert _call(f"{url}/pair", body={"code": "000000" if code != "000000" else "111111"})[1]["error"]["code"] == (
        "AGENT_PAIRING_WRONG")
    status, paired = _call(f"{url}/pair", body={"code": code})
    assert status == 200
    token = paired["token"]
    assert "certificates" not in info  # the chain only to a paired page
    status, info = _call(f"{url}/status", token=token)
    assert info["paired"] is True
    assert x509.load_pem_x509_certificate(info["certificates"][0].encode()) == cert
    assert _call(f"{url}/sign", origin="https://evil.example", body=request, token=token)[0] == 403
    too_big = json.dumps({"data": "A" * 70_000}).encode()
    assert _call(f"{url}/sign", body=too_big, token=token)[0] == 413

    status, signed = _call(f"{url}/sign", body=request, token=token)
    assert status == 200, signed
    pdf = complete_signature(prepared, raw_signature=base64.b64decode(signed["signature"]))
    report = validate_pdf(pdf, TrustStore([ca]), allow_fetching=False)
    assert [s.integrity for s in report.signatures] == ["intact"]
    assert report.signatures[0].chain == "trusted" and report.signatures[0].signer.common_name == "Y Khu Eban"


def test_preflight_allows_private_network_only_for_the_page(agent: tuple[str, str]) -> None:
    """Chromium asks a loopback server before a page from the network may call it."""
    url, _ = agent

    def preflight(origin: str) -> tuple[int, str | None]:
        request = urllib.request.Request(f"{url}/sign", method="OPTIONS", headers={
            "Origin": origin, "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Private-Network": "true"})
        try:
            with urllib.request.urlopen(request, timeout=30) as resp:
                return resp.status, resp.headers.get("Access-Control-Allow-Private-Network")
        except urllib.error.HTTPError as exc:
            return exc.code, exc.headers.get("Access-Control-Allow-Private-Network")

    assert preflight(PAGE) == (204, "true")
    assert preflight("https://evil.example") == (403, None)


def test_wrong_pairing_codes_lock_the_agent(agent: tuple[str, str]) -> None:
    url, code = agent
    wrong = "000000" if code != "000000" else "111111"
    answers = [_call(f"{url}/pair", body={"code": wrong})[0] for _ in range(5)]
    assert answers == [403] * 5
    assert _call(f"{url}/pair", body={"code": code})[0] == 429  # even the right code, once locked
