"""edXML throughput beside the raw limits measured in the same run.

    python bench/edxml_bench.py [--seconds 1.0] [--rounds 3] [--memory-mib 135 | --no-memory]

For 5 KB and 1 MB packages: packages/s for `parse_package` beside bare `lxml.etree.fromstring`
of the same bytes, and for parse+verify — `read_package(data).verify(certs)`, one parse shared
by both, not cached — with each XML-DSig engine (the default "lxml": the cut tree checked in
place; python-xmlsec; signxml) beside the **floor**:
bare lxml parse + exclusive C14N of the tree + SHA-256 of that + one RSA-2048 verify, all four
done in one call and measured in the same run. Each figure is the best of `--rounds`
interleaved rounds (the machine is shared). The goal (issue 23): parse+verify ≥ 0.3 of the
floor at 5 KB and ≥ 0.5 at 1 MB. The memory line reads a large package in a child process and
reports its peak RSS growth. Under each size, the parts of the default parse+verify (the gate
with its lxml parse, reading the model, checking the signature) in µs beside the whole floor.
Signing (`sign_package`: the cut tree, and signxml's whole-tree path it falls back to) is
printed beside its own floor: parse + exclusive C14N + SHA-256 + one RSA-2048 signature.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "src"))

from cryptography.hazmat.primitives import hashes  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import padding, rsa  # noqa: E402
from lxml import etree  # noqa: E402
from tests.edxml.largefile import write_large_package  # noqa: E402
from tests.edxml.samples import make_identity, sample_document  # noqa: E402

from vanban.edxml import (  # noqa: E402
    Attachment,
    build_package,
    parse_package,
    read_package,
    sign_package,
    verify_package,
)
from vanban.edxml import signature as signature_module  # noqa: E402
from vanban.edxml.limits import DEFAULT_LIMITS  # noqa: E402
from vanban.edxml.parse import gate  # noqa: E402
from vanban.edxml.xmldsig import XMLSEC_UNAVAILABLE, available_backends  # noqa: E402


def rate(func: Callable[[], object], seconds: float) -> float:
    """Calls per second, timed over at least `seconds` (after one warm-up call)."""
    func()
    count = 0
    started = time.perf_counter()
    while (elapsed := time.perf_counter() - started) < seconds or count < 3:
        func()
        count += 1
    return count / elapsed


def package_of(size: int, identity) -> bytes:
    rnd = random.Random(size)
    payload = bytes(rnd.getrandbits(8) for _ in range(max(0, size * 3 // 4 - 2500)))
    doc = sample_document(Attachment("tep.pdf", payload, "application/pdf"))
    return sign_package(build_package(doc), identity.key, identity.cert)


def memory_line(mib: int) -> str:
    child = r"""
import json, resource, sys, time
from vanban.edxml.cli import _open_package
from vanban.edxml import parse_package
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
t = time.perf_counter()
with _open_package(sys.argv[1]) as data:
    parsed = parse_package(data)
    n = sum(a.size for a in parsed.attachments)
print(json.dumps({"base": base, "peak": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                  "seconds": time.perf_counter() - t, "bytes": n}))
"""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "large.edxml"
        write_large_package(path, files=3, mib_each=mib // 3)
        size = path.stat().st_size
        out = json.loads(subprocess.run([sys.executable, "-c", child, str(path)], check=True,
                                        capture_output=True).stdout)
    grown = (out["peak"] - out["base"]) / 1024
    return (f"memory: {size / 2**20:.0f} MiB package ({out['bytes'] / 2**20:.0f} MiB of files) parsed "
            f"in {out['seconds']:.2f} s; peak RSS {out['peak'] / 1024:.0f} MiB, grew {grown:.0f} MiB "
            f"over the {out['base'] / 1024:.0f} MiB baseline")


def best_rates(ops: dict[str, Callable[[], object]], seconds: float, rounds: int) -> dict[str, float]:
    """Each op's best rate over `rounds` interleaved rounds: a neighbour's burst on the shared
    machine then lowers one round of one op, not the comparison."""
    best = dict.fromkeys(ops, 0.0)
    for _ in range(rounds):
        for name, func in ops.items():
            best[name] = max(best[name], rate(func, seconds / rounds))
    return best


def floor_op(data: bytes, public: rsa.RSAPublicKey, signed: bytes, signature: bytes) -> Callable[[], object]:
    """The raw work any verifier must do: parse, exclusive C14N, SHA-256, one RSA verify
    (of a fixed 32-byte SignedInfo stand-in: the cost is the same)."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)

    def run() -> None:
        root = etree.fromstring(data, parser)
        hashlib.sha256(etree.tostring(root, method="c14n", exclusive=True)).digest()
        public.verify(signature, signed, padding.PKCS1v15(), hashes.SHA256())
    return run


def sign_floor_op(data: bytes, key: rsa.RSAPrivateKey) -> Callable[[], object]:
    """The raw work any signer must do: parse, exclusive C14N, SHA-256, one RSA signature."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)

    def run() -> None:
        root = etree.fromstring(data, parser)
        key.sign(hashlib.sha256(etree.tostring(root, method="c14n", exclusive=True)).digest(),
                 padding.PKCS1v15(), hashes.SHA256())
    return run


def signxml_sign(data: bytes, identity) -> bytes:
    """`sign_package` on its whole-tree path (signxml), as it signed every package before."""
    real = signature_module.sign_cut
    signature_module.sign_cut = lambda *args: None
    try:
        return sign_package(data, identity.key, identity.cert)
    finally:
        signature_module.sign_cut = real


def parts_line(data: bytes, certs: list, seconds: float, floor_rate: float) -> str:
    """Where the default parse+verify's time goes, µs each, every step on a fresh tree (a tree
    read again is ~40 µs quicker at 5 KB: it is in the CPU's caches): the safety gate (its lxml
    parse included), then reading the model (`read_package` less the gate), then checking the
    signature (the whole less `read_package`)."""
    rates = best_rates({
        "gate": lambda: gate(data, DEFAULT_LIMITS, keep_comments=True),
        "read": lambda: read_package(data, backend="lxml"),
        "all": lambda: read_package(data, backend="lxml").verify(certs, cache=None),
    }, seconds * 1.5, 3)
    gate_us, read_us, all_us = (1e6 / rates[k] for k in ("gate", "read", "all"))
    return (f"parts of parse+verify (default), µs: gate {gate_us:,.0f} · model {read_us - gate_us:,.0f} · "
            f"verify {all_us - read_us:,.0f}; the whole floor {1e6 / floor_rate:,.0f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=1.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--memory-mib", type=int, default=135)
    parser.add_argument("--no-memory", action="store_true")
    args = parser.parse_args()

    identity = make_identity("Bench")
    digest = b"x" * 32
    signature = identity.key.sign(digest, padding.PKCS1v15(), hashes.SHA256())
    public = identity.key.public_key()
    rsa_rate = rate(lambda: public.verify(signature, digest, padding.PKCS1v15(), hashes.SHA256()),
                    args.seconds)
    xmlsec = ("python-xmlsec" if "xmlsec" in available_backends()
              else f"not importable ({XMLSEC_UNAVAILABLE})")
    print(f"edxml bench {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, python {sys.version.split()[0]}, "
          f"lxml {etree.__version__}, libxml2 {'.'.join(map(str, etree.LIBXML_VERSION))}, xmlsec: {xmlsec}")
    print(f"raw RSA-2048 verify: {rsa_rate:,.0f}/s; floor = lxml parse + exclusive C14N + SHA-256 + "
          "RSA verify, in one call")
    header = f"{'size':>8} {'operation':<26} {'ours /s':>10} {'raw limit /s':>13} {'ratio':>7}"
    print(header)
    print("-" * len(header))
    certs = [identity.cert]
    for label, size in (("5 KB", 5_000), ("1 MB", 1_000_000)):
        data = package_of(size, identity)
        ops: dict[str, Callable[[], object]] = {
            "lxml": lambda d=data: etree.fromstring(d),
            "floor": floor_op(data, public, digest, signature),
            "parse": lambda d=data: parse_package(d),
            "default": lambda d=data: read_package(d, backend="lxml").verify(certs, cache=None),
            "xmlsec": lambda d=data: read_package(d, backend="xmlsec").verify(certs, cache=None),
            "signxml": lambda d=data: read_package(d, backend="signxml").verify(certs, cache=None),
            "two calls": lambda d=data: (parse_package(d), verify_package(d, certs)),
            "sign floor": sign_floor_op(data, identity.key),
            "sign": lambda d=data: sign_package(d, identity.key, identity.cert),
            "sign signxml": lambda d=data: signxml_sign(d, identity),
        }
        if "xmlsec" not in available_backends():
            del ops["xmlsec"]
        got = best_rates(ops, args.seconds * len(ops) / 2, args.rounds)
        rows = [("parse", "parse", "lxml"),
                ("parse+verify (default)", "default", "floor"),
                ("parse+verify (xmlsec)", "xmlsec", "floor"),
                ("parse+verify (signxml)", "signxml", "floor"),
                ("parse_package+verify_package", "two calls", "floor"),
                ("sign_package (cut tree)", "sign", "sign floor"),
                ("sign_package (signxml)", "sign signxml", "sign floor")]
        for name, ours, limit in rows:
            if ours in got:
                print(f"{label:>8} {name:<26} {got[ours]:>10,.0f} {got[limit]:>13,.0f} "
                      f"{got[ours] / got[limit]:>7.2f}")
        print(f"{'':>8} (package is {len(data):,} bytes; goal: parse+verify >= "
              f"{0.3 if size < 100_000 else 0.5} of the floor)")
        print(f"{'':>8} {parts_line(data, certs, args.seconds, got['floor'])}")
    if not args.no_memory:
        print(memory_line(args.memory_mib))
    return 0


if __name__ == "__main__":
    sys.exit(main())
