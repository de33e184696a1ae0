"""PAdES throughput: our validate_pdf beside bare pyHanko, and signers side by side.

    .venv/bin/python bench/pki_bench.py [--seconds 3] [--size-mb 1]

Validation: a ~1 MB PDF with a person + seal signature (B-T on the seal), revocation
fetched from the local test OCSP/CRL server, our `validate_pdf` (report, rules, extra
passes only when needed) vs `pyhanko.sign.validation.validate_pdf_signature` per
signature with an equivalent context (no report). Signing: `KeyHoldingSigner` (key parsed
once) vs pyHanko's stock `SimpleSigner.load_pkcs12_data` per signature (how a naive caller
uses it) and the same SimpleSigner reused (key re-parsed inside every `sign_raw`);
deferred two-step signing (prepare, device signs, complete), the same with its state
through JSON between the steps (the web path of the USB token), remote signing over the CSC
API against our test CSC service on loopback (tests/pki/cscserver.py), and a PKCS#11 key on a
SoftHSM2 token (skipped when softhsm2 is not installed) in the same run.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from io import BytesIO
from pathlib import Path

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/ for the CSC test service
from tests.pki.cscserver import CscServer, CscState

from vanban.pki import TrustStore, sign_pdf, validate_pdf
from vanban.pki.csc import CscService, sign_pdf_remote
from vanban.pki.deferred import PreparedSignature, complete_signature, prepare_signature
from vanban.pki.samplepdf import make_pdf
from vanban.pki.signer import KeyHoldingSigner
from vanban.pki.testpki import TestPki
from vanban.pki.testserver import PkiServer


def rate(fn: Callable[[], object], seconds: float) -> tuple[float, int]:
    fn()  # warm-up
    n, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        fn()
        n += 1
    return n / (time.perf_counter() - start), n


def signed_sample(pki: TestPki, server: PkiServer, size_mb: float) -> tuple[bytes, TrustStore]:
    """A PDF signed as an agency issues it: the leader's signature, then the seal with a timestamp."""
    seal = pki.issue_seal("UBND tỉnh Đắk Lắk", "000.00.00.H16")
    person = pki.issue_person("Nguyễn Văn An", "Chủ tịch", "UBND tỉnh Đắk Lắk")
    pdf = make_pdf("QUYET DINH so 12/QD-UBND", pages=3, padding_bytes=int(size_mb * 1024 * 1024))
    signed = sign_pdf(pdf, KeyHoldingSigner(person.key, person.cert, person.chain))
    signed = sign_pdf(signed, KeyHoldingSigner(seal.key, seal.cert, seal.chain), role="seal",
                      timestamper=server.tsa_url)
    return signed, TrustStore([pki.root.cert])


def bare_validate(signed: bytes, trust: TrustStore) -> None:
    """pyHanko alone, every signature, revocation fetched and required: the floor."""
    reader = PdfFileReader(BytesIO(signed))
    for emb in reader.embedded_signatures:
        vc = ValidationContext(trust_roots=trust.asn1_roots(), allow_fetching=True, revocation_mode="hard-fail")
        assert validate_pdf_signature(emb, vc).bottom_line


def bare_validation_rate(size_mb: float, seconds: float) -> float:
    """Documents/s pyHanko alone validates (two signatures each), with its own test PKI server."""
    for name in ("pyhanko", "pyhanko_certvalidator"):
        logging.getLogger(name).setLevel(logging.CRITICAL)
    server = PkiServer()
    pki = TestPki(base_url=server.url)
    server.attach(pki, pki.issue_tsa())
    server.start()
    try:
        signed, trust = signed_sample(pki, server, size_mb)
        return rate(lambda: bare_validate(signed, trust), seconds)[0]
    finally:
        server.stop()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=3.0)
    ap.add_argument("--size-mb", type=float, default=1.0)
    args = ap.parse_args()
    for name in ("pyhanko", "pyhanko_certvalidator"):
        logging.getLogger(name).setLevel(logging.CRITICAL)

    server = PkiServer()
    pki = TestPki(base_url=server.url)
    tsa = pki.issue_tsa()
    server.attach(pki, tsa)
    server.start()
    try:
        seal = pki.issue_seal("UBND tỉnh Đắk Lắk", "000.00.00.H16")
        person = pki.issue_person("Nguyễn Văn An", "Chủ tịch", "UBND tỉnh Đắk Lắk")
        person_signer = KeyHoldingSigner(person.key, person.cert, person.chain)
        signed, trust = signed_sample(pki, server, args.size_mb)
        assert validate_pdf(signed, trust, allow_fetching=True).verdict == "valid"

        def ours() -> None:
            validate_pdf(signed, trust, allow_fetching=True)

        def bare() -> None:
            bare_validate(signed, trust)

        small = make_pdf()
        p12 = person.pkcs12(b"pw")

        def sign_kept() -> None:
            sign_pdf(small, person_signer, visible=False)

        def sign_stamped() -> None:  # the default NĐ 30 box, text in DejaVu Sans embedded and subset
            sign_pdf(small, person_signer)

        def sign_stock() -> None:
            stock = signers.SimpleSigner.load_pkcs12_data(p12, other_certs=[], passphrase=b"pw")
            _stock_sign(small, stock)

        reused = signers.SimpleSigner.load_pkcs12_data(p12, other_certs=[], passphrase=b"pw")

        def sign_stock_reused() -> None:
            _stock_sign(small, reused)

        def sign_pyhanko_with_kept_key() -> None:
            _stock_sign(small, person_signer.pyhanko_signer())

        def sign_deferred() -> None:
            prepared = prepare_signature(small, person.cert, person.chain, visible=False)
            raw = person.key.sign(prepared.to_be_signed, padding.PKCS1v15(), hashes.SHA256())
            complete_signature(prepared, raw_signature=raw)

        def sign_deferred_web() -> None:
            prepared = prepare_signature(small, person.cert, person.chain, visible=False)
            state, kept = json.dumps(prepared.to_state()), prepared.prepared_pdf
            again = PreparedSignature.from_state(json.loads(state), kept)
            raw = person.key.sign(again.to_be_signed, padding.PKCS1v15(), hashes.SHA256())
            complete_signature(again, raw_signature=raw)

        csc_state = CscState(token="bench", credentials={"p": person})
        csc = CscServer(csc_state)
        csc_url = csc.__enter__()

        def sign_remote() -> None:
            sign_pdf_remote(small, CscService(csc_url, token="bench"), "p", csc_state.otp)

        token = _softhsm_signer(seal)

        rows = [
            ("validate: vanban validate_pdf (2 sigs, ~%.1f MB)" % (len(signed) / 2**20), ours),
            ("validate: bare pyHanko validate_pdf_signature", bare),
            ("sign: pyHanko sign_pdf + KeyHoldingSigner", sign_pyhanko_with_kept_key),
            ("sign: pyHanko sign_pdf + SimpleSigner reused", sign_stock_reused),
            ("sign: pyHanko sign_pdf + SimpleSigner.load_pkcs12 each", sign_stock),
            ("sign: vanban sign_pdf (KeyHoldingSigner, invisible)", sign_kept),
            ("sign: vanban sign_pdf (KeyHoldingSigner, visible stamp)", sign_stamped),
            ("sign: vanban deferred prepare + complete (invisible)", sign_deferred),
            ("sign: vanban deferred, state via JSON (web path)", sign_deferred_web),
            ("sign: vanban CSC remote, loopback test service", sign_remote),
        ]
        if token is not None:
            rows.append(("sign: vanban sign_pdf + PKCS#11 SoftHSM2 (invisible)",
                         lambda: sign_pdf(small, token, visible=False)))
        else:
            print("(softhsm2 not installed: PKCS#11 row skipped)")
        print(f"{'operation':58} {'per s':>8} {'ms each':>9} {'runs':>6}")
        for label, fn in rows:
            per_s, n = rate(fn, args.seconds)
            print(f"{label:58} {per_s:8.1f} {1000 / per_s:9.1f} {n:6d}")
        csc.__exit__()
    finally:
        server.stop()


def _softhsm_signer(issued: object) -> object | None:
    """A throwaway SoftHSM2 token holding `issued`'s key and certificate."""
    module = "/usr/lib/softhsm/libsofthsm2.so"
    if not Path(module).exists() or shutil.which("softhsm2-util") is None:
        return None
    import pkcs11
    from cryptography.hazmat.primitives.serialization import Encoding
    from pkcs11 import Attribute, CertificateType, ObjectClass

    from vanban.pki.pkcs11 import open_pkcs11_signer

    d = Path(tempfile.mkdtemp(prefix="bench-softhsm-"))
    (d / "tokens").mkdir()
    (d / "conf").write_text(f"directories.tokendir = {d / 'tokens'}\n")
    os.environ["SOFTHSM2_CONF"] = str(d / "conf")
    subprocess.run(["softhsm2-util", "--init-token", "--free", "--label", "BENCH",
                    "--so-pin", "so-pin-0", "--pin", "1234"], check=True, capture_output=True)
    (d / "k.pem").write_bytes(issued.key_pem())  # type: ignore[attr-defined]
    subprocess.run(["softhsm2-util", "--import", str(d / "k.pem"), "--token", "BENCH",
                    "--label", "k", "--id", "01", "--pin", "1234"], check=True,
                   capture_output=True)
    cert = issued.cert  # type: ignore[attr-defined]
    with pkcs11.lib(module).get_token(token_label="BENCH").open(user_pin="1234",
                                                                rw=True) as session:
        session.create_object({
            Attribute.CLASS: ObjectClass.CERTIFICATE,
            Attribute.CERTIFICATE_TYPE: CertificateType.X_509, Attribute.TOKEN: True,
            Attribute.LABEL: "k", Attribute.ID: b"\x01",
            Attribute.VALUE: cert.public_bytes(Encoding.DER),
            Attribute.SUBJECT: cert.subject.public_bytes()})
    return open_pkcs11_signer(module, "BENCH", "k", "1234")


def _stock_sign(pdf: bytes, signer: signers.Signer) -> bytes:
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(BytesIO(pdf))
    meta = signers.PdfSignatureMetadata(field_name="Sig", md_algorithm="sha256",
                                        subfilter=fields.SigSeedSubFilter.PADES)
    return signers.sign_pdf(writer, meta, signer=signer).getvalue()


if __name__ == "__main__":
    main()
