"""PAdES throughput: our validate_pdf beside bare pyHanko, and signers side by side.

    .venv/bin/python bench/pki_bench.py [--seconds 3] [--size-mb 1]

Validation: a ~1 MB PDF with a person + seal signature (B-T on the seal), revocation
fetched from the local test OCSP/CRL server, our `validate_pdf` (report, rules, extra
passes only when needed) vs `pyhanko.sign.validation.validate_pdf_signature` per
signature with an equivalent context (no report). Signing: `KeyHoldingSigner` (key parsed
once) vs pyHanko's stock `SimpleSigner.load_pkcs12_data` per signature (how a naive caller
uses it) and the same SimpleSigner reused (key re-parsed inside every `sign_raw`).
"""

from __future__ import annotations

import argparse
import logging
import time
from collections.abc import Callable
from io import BytesIO

from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from vanban.pki import TrustStore, sign_pdf, validate_pdf
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
        pdf = make_pdf("QUYET DINH so 12/QD-UBND", pages=3,
                       padding_bytes=int(args.size_mb * 1024 * 1024))
        signed = sign_pdf(pdf, person_signer)
        signed = sign_pdf(signed, KeyHoldingSigner(seal.key, seal.cert, seal.chain), role="seal",
                          timestamper=server.tsa_url)
        trust = TrustStore([pki.root.cert])
        assert validate_pdf(signed, trust, allow_fetching=True).verdict == "valid"

        def ours() -> None:
            validate_pdf(signed, trust, allow_fetching=True)

        def bare() -> None:
            reader = PdfFileReader(BytesIO(signed))
            for emb in reader.embedded_signatures:
                vc = ValidationContext(trust_roots=trust.asn1_roots(), allow_fetching=True,
                                       revocation_mode="hard-fail")
                status = validate_pdf_signature(emb, vc)
                assert status.bottom_line

        small = make_pdf()
        p12 = person.pkcs12(b"pw")

        def sign_kept() -> None:
            sign_pdf(small, person_signer, visible=False)

        def sign_stock() -> None:
            stock = signers.SimpleSigner.load_pkcs12_data(p12, other_certs=[], passphrase=b"pw")
            _stock_sign(small, stock)

        reused = signers.SimpleSigner.load_pkcs12_data(p12, other_certs=[], passphrase=b"pw")

        def sign_stock_reused() -> None:
            _stock_sign(small, reused)

        def sign_pyhanko_with_kept_key() -> None:
            _stock_sign(small, person_signer.pyhanko_signer())

        rows = [
            ("validate: vanban validate_pdf (2 sigs, ~%.1f MB)" % (len(signed) / 2**20), ours),
            ("validate: bare pyHanko validate_pdf_signature", bare),
            ("sign: pyHanko sign_pdf + KeyHoldingSigner", sign_pyhanko_with_kept_key),
            ("sign: pyHanko sign_pdf + SimpleSigner reused", sign_stock_reused),
            ("sign: pyHanko sign_pdf + SimpleSigner.load_pkcs12 each", sign_stock),
            ("sign: vanban sign_pdf (KeyHoldingSigner, invisible)", sign_kept),
        ]
        print(f"{'operation':58} {'per s':>8} {'ms each':>9} {'runs':>6}")
        for label, fn in rows:
            per_s, n = rate(fn, args.seconds)
            print(f"{label:58} {per_s:8.1f} {1000 / per_s:9.1f} {n:6d}")
    finally:
        server.stop()


def _stock_sign(pdf: bytes, signer: signers.Signer) -> bytes:
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(BytesIO(pdf))
    meta = signers.PdfSignatureMetadata(field_name="Sig", md_algorithm="sha256",
                                        subfilter=fields.SigSeedSubFilter.PADES)
    return signers.sign_pdf(writer, meta, signer=signer).getvalue()


if __name__ == "__main__":
    main()
