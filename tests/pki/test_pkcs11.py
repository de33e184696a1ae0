"""PKCS#11 signing for real: a SoftHSM2 token in a temp dir, `vanban pki` run as a process.

The key is imported with `softhsm2-util` (as an outside operator would) and its certificate
bound on the token; the signed PDF must pass `vanban pki verify --trust` the test root.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pkcs11
import pytest
from cryptography.hazmat.primitives.serialization import Encoding
from pkcs11 import Attribute, CertificateType, ObjectClass

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(not Path("/usr/lib/softhsm/libsofthsm2.so").exists()
                       or shutil.which("softhsm2-util") is None,
                       reason="softhsm2 not installed (.ci/run installs it)"),
]

MODULE = "/usr/lib/softhsm/libsofthsm2.so"
PIN, SO_PIN = "4711-pin", "so-pin-0"
TOKEN = "VANBAN-HSM"
VANBAN = [sys.executable, "-m", "vanban.cli"]


@pytest.fixture(scope="module")
def hsm(tmp_path_factory, env):
    """A SoftHSM token: key 'seal' (cert same label+id), 'byid' (cert other label, same id),
    'nocert' (no cert on the token)."""
    d = tmp_path_factory.mktemp("softhsm")
    (d / "tokens").mkdir()
    conf = d / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {d / 'tokens'}\nobjectstore.backend = file\n"
                    "log.level = ERROR\n")
    saved = os.environ.get("SOFTHSM2_CONF")
    os.environ["SOFTHSM2_CONF"] = str(conf)
    util = ["softhsm2-util"]
    subprocess.run([*util, "--init-token", "--free", "--label", TOKEN, "--so-pin", SO_PIN,
                    "--pin", PIN], check=True, capture_output=True)
    entries = {"seal": ("01", env.seal), "byid": ("02", env.person), "nocert": ("03", env.seal)}
    for label, (key_id, issued) in entries.items():
        key_file = d / f"{label}.pem"
        key_file.write_bytes(issued.key_pem())
        subprocess.run([*util, "--import", str(key_file), "--token", TOKEN, "--label", label,
                        "--id", key_id, "--pin", PIN], check=True, capture_output=True)
        key_file.unlink()
    token = pkcs11.lib(MODULE).get_token(token_label=TOKEN)
    with token.open(user_pin=PIN, rw=True) as session:
        for cert_label, key_id, issued in (("seal", "01", env.seal),
                                           ("Nguyen Van An", "02", env.person)):
            session.create_object({
                Attribute.CLASS: ObjectClass.CERTIFICATE,
                Attribute.CERTIFICATE_TYPE: CertificateType.X_509,
                Attribute.TOKEN: True, Attribute.LABEL: cert_label,
                Attribute.ID: bytes.fromhex(key_id),
                Attribute.VALUE: issued.cert.public_bytes(Encoding.DER),
                Attribute.SUBJECT: issued.cert.subject.public_bytes(),
            })
        for i, ca in enumerate(env.seal.chain[:-1]):  # intermediates, so the chain is whole
            session.create_object({
                Attribute.CLASS: ObjectClass.CERTIFICATE,
                Attribute.CERTIFICATE_TYPE: CertificateType.X_509,
                Attribute.TOKEN: True, Attribute.LABEL: f"ca{i}",
                Attribute.VALUE: ca.public_bytes(Encoding.DER),
                Attribute.SUBJECT: ca.subject.public_bytes(),
            })
    yield d
    if saved is None:
        os.environ.pop("SOFTHSM2_CONF", None)
    else:
        os.environ["SOFTHSM2_CONF"] = saved


@pytest.fixture
def files(tmp_path, env, pdf):
    root = tmp_path / "root.pem"
    root.write_bytes(env.pki.root.cert_pem())
    src = tmp_path / "in.pdf"
    src.write_bytes(pdf)
    pin = tmp_path / "pin.txt"
    pin.write_text(PIN + "\n")
    return {"root": root, "in": src, "pin": pin, "dir": tmp_path}


def run(*args: str, pin_env: str | None = None) -> subprocess.CompletedProcess[str]:
    envv = dict(os.environ)
    envv.pop("VANBAN_PKCS11_PIN", None)
    if pin_env is not None:
        envv["VANBAN_PKCS11_PIN"] = pin_env
    return subprocess.run([*VANBAN, "pki", *args], check=False, capture_output=True,
                          text=True, env=envv, timeout=60)


def sign(files, out: Path, key: str, *extra: str, pin_env: str | None = None,
         token: str = TOKEN):
    return run("sign", str(files["in"]), str(out), "--pkcs11-module", MODULE,
               "--token-label", token, "--key-label", key, *extra, pin_env=pin_env)


def test_token_list_shows_the_token(hsm):
    res = run("token", "list", "--pkcs11-module", MODULE)
    assert res.returncode == 0, res.stderr
    assert f"“{TOKEN}”" in res.stdout and "SoftHSM" in res.stdout


def test_seal_on_token_verifies_valid(hsm, files):
    out = files["dir"] / "signed.pdf"
    res = sign(files, out, "seal", "--pin-file", str(files["pin"]), "--seal")
    assert res.returncode == 0, res.stderr
    assert PIN not in res.stdout + res.stderr
    ver = run("verify", str(out), "--trust", str(files["root"]), "--offline")
    assert ver.returncode == 0, ver.stdout
    assert "Kết luận: HỢP LỆ" in ver.stdout and "000.00.00.H16" in ver.stdout


def test_cert_found_by_id_and_pin_from_environment(hsm, files):
    out = files["dir"] / "signed.pdf"
    res = sign(files, out, "byid", pin_env=PIN)
    assert res.returncode == 0, res.stderr
    ver = run("verify", str(out), "--trust", str(files["root"]), "--offline")
    assert ver.returncode == 0 and "Nguyễn Văn An" in ver.stdout, ver.stdout


def test_cert_file_fallback(hsm, files, env):
    out = files["dir"] / "signed.pdf"
    res = sign(files, out, "nocert", pin_env=PIN)
    assert res.returncode == 2 and "PKI_CERT_NOT_FOUND" in res.stderr and not out.exists()
    cert = files["dir"] / "seal.pem"
    cert.write_bytes(env.seal.cert_pem())
    res = sign(files, out, "nocert", "--cert", str(cert), pin_env=PIN)
    assert res.returncode == 0, res.stderr
    assert run("verify", str(out), "--trust", str(files["root"]), "--offline").returncode == 0


def test_wrong_pin_exit_2_no_output(hsm, files):
    out = files["dir"] / "signed.pdf"
    bad = files["dir"] / "bad.txt"
    bad.write_text("9999-wrong")
    res = sign(files, out, "seal", "--pin-file", str(bad))
    assert res.returncode == 2
    assert "PKI_PKCS11_BAD_PIN" in res.stderr and "Sai mã PIN" in res.stderr
    assert "9999-wrong" not in res.stderr + res.stdout and "Traceback" not in res.stderr
    assert not out.exists()


def test_no_pin_at_all(hsm, files):
    out = files["dir"] / "signed.pdf"
    res = sign(files, out, "seal")
    assert res.returncode == 2 and "PKI_PKCS11_NO_PIN" in res.stderr and not out.exists()


@pytest.mark.parametrize(("token", "key", "code"), [
    ("NO-SUCH-TOKEN", "seal", "PKI_TOKEN_NOT_FOUND"),
    (TOKEN, "no-such-key", "PKI_KEY_NOT_FOUND"),
])
def test_unknown_token_or_key(hsm, files, token, key, code):
    out = files["dir"] / "signed.pdf"
    res = sign(files, out, key, token=token, pin_env=PIN)
    assert res.returncode == 2 and code in res.stderr, res.stderr
    assert not out.exists()


def test_bad_module_is_a_clear_error(files):
    res = run("token", "list", "--pkcs11-module", str(files["dir"] / "nope.so"))
    assert res.returncode == 2 and "PKI_PKCS11_MODULE" in res.stderr


def test_edxml_envelope_signed_with_token_key(hsm, env):
    """The edXML signer takes a `cryptography` RSA key; the token key is one (signs on HSM)."""
    from tests.edxml.samples import sample_document
    from vanban.edxml import build_package, sign_package, verify_package
    from vanban.pki.pkcs11 import open_pkcs11_signer

    package = build_package(sample_document())
    with open_pkcs11_signer(MODULE, TOKEN, "seal", PIN) as signer:
        key = signer.rsa_key()
        with pytest.raises(NotImplementedError):
            key.private_bytes()
        signed = sign_package(package, key, signer.certificate)
    assert verify_package(signed, [env.seal.cert]).valid is True
    assert verify_package(signed, [env.person.cert]).valid is False


def test_ec_key_generated_on_the_token(hsm, files, env):
    """A key made on the token (EC P-256, never exported), its certificate under another label
    found by CKA_ID; SoftHSM offers only raw CKM_ECDSA for it."""
    from datetime import UTC, datetime, timedelta

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.serialization import load_der_public_key
    from cryptography.x509.oid import NameOID

    base = ["pkcs11-tool", "--module", MODULE, "--token-label", TOKEN, "--login", "--pin", PIN]
    made = subprocess.run([*base, "--keypairgen", "--key-type", "EC:prime256v1", "--label", "khoa-ec",
                           "--id", "0e"], capture_output=True, text=True, check=False)
    if made.returncode != 0 and "No such file" in made.stderr + made.stdout:
        pytest.skip("pkcs11-tool (opensc) is not installed")
    assert made.returncode == 0, made.stderr
    pub = files["dir"] / "pub.der"
    got = subprocess.run([*base, "--read-object", "--type", "pubkey", "--id", "0e", "-o", str(pub)],
                         capture_output=True, text=True, check=False)
    assert got.returncode == 0, got.stderr
    ca = env.pki.ca
    now = datetime.now(UTC)
    cert = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Máy chủ ký EC")]))
            .issuer_name(ca.cert.subject).public_key(load_der_public_key(pub.read_bytes()))
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(minutes=5)).not_valid_after(now + timedelta(days=1))
            .add_extension(x509.KeyUsage(True, True, False, False, False, False, False, False, False),
                           critical=True)
            .sign(ca.key, hashes.SHA256()))
    token = pkcs11.lib(MODULE).get_token(token_label=TOKEN)
    with token.open(user_pin=PIN, rw=True) as session:
        session.create_object({
            Attribute.CLASS: ObjectClass.CERTIFICATE, Attribute.CERTIFICATE_TYPE: CertificateType.X_509,
            Attribute.TOKEN: True, Attribute.LABEL: "chung-thu-ec", Attribute.ID: bytes.fromhex("0e"),
            Attribute.VALUE: cert.public_bytes(Encoding.DER), Attribute.SUBJECT: cert.subject.public_bytes()})
    out = files["dir"] / "ec.pdf"
    res = sign(files, out, "khoa-ec", "--pin-file", str(files["pin"]))
    assert res.returncode == 0, res.stderr
    ver = run("verify", str(out), "--trust", str(files["root"]), "--offline")
    assert ver.returncode == 0, ver.stdout
    assert "Kết luận: HỢP LỆ" in ver.stdout and "Máy chủ ký EC" in ver.stdout
