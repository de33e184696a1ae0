"""edXML throughput beside the raw limits measured in the same run.

    python bench/edxml_bench.py [--seconds 1.0] [--memory-mib 135 | --no-memory]

Rows: packages/s for `parse_package` and `parse_package + verify_package` at 5 KB and 1 MB,
next to bare `lxml.etree.fromstring` of the same bytes and one RSA-2048 verify, and the
ratio (ours / raw limit). The memory line reads a large package in a child process and
reports its peak RSS growth.
"""

from __future__ import annotations

import argparse
import datetime as dt
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
from cryptography.hazmat.primitives.asymmetric import padding  # noqa: E402
from lxml import etree  # noqa: E402
from tests.edxml.largefile import write_large_package  # noqa: E402
from tests.edxml.samples import make_identity, sample_document  # noqa: E402

from vanban.edxml import Attachment, build_package, parse_package, sign_package, verify_package  # noqa: E402


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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=1.0)
    parser.add_argument("--memory-mib", type=int, default=135)
    parser.add_argument("--no-memory", action="store_true")
    args = parser.parse_args()

    identity = make_identity("Bench")
    digest = b"x" * 32
    signature = identity.key.sign(digest, padding.PKCS1v15(), hashes.SHA256())
    public = identity.key.public_key()
    rsa_rate = rate(lambda: public.verify(signature, digest, padding.PKCS1v15(), hashes.SHA256()),
                    args.seconds)
    print(f"edxml bench {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, python {sys.version.split()[0]}, "
          f"lxml {etree.__version__}")
    print(f"raw RSA-2048 verify: {rsa_rate:,.0f}/s")
    header = f"{'size':>8} {'operation':<16} {'ours /s':>10} {'raw limit /s':>13} {'ratio':>7}"
    print(header)
    print("-" * len(header))
    for label, size in (("5 KB", 5_000), ("1 MB", 1_000_000)):
        data = package_of(size, identity)
        lxml_rate = rate(lambda d=data: etree.fromstring(d), args.seconds)
        parse_rate = rate(lambda d=data: parse_package(d), args.seconds)
        both_rate = rate(lambda d=data: (parse_package(d), verify_package(d, [identity.cert])),
                         args.seconds)
        both_limit = 1 / (1 / lxml_rate + 1 / rsa_rate)
        print(f"{label:>8} {'parse':<16} {parse_rate:>10,.0f} {lxml_rate:>13,.0f} "
              f"{parse_rate / lxml_rate:>7.2f}")
        print(f"{label:>8} {'parse+verify':<16} {both_rate:>10,.0f} {both_limit:>13,.0f} "
              f"{both_rate / both_limit:>7.2f}")
        print(f"{'':>8} (package is {len(data):,} bytes)")
    if not args.no_memory:
        print(memory_line(args.memory_mib))
    return 0


if __name__ == "__main__":
    sys.exit(main())
