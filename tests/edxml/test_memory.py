"""Memory stays bounded: a large package is read without a second copy of its files."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.edxml.largefile import write_large_package

pytestmark = pytest.mark.unit

CHILD = r"""
import json, resource, sys
from vanban.edxml.cli import _open_package
from vanban.edxml import parse_package
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
with _open_package(sys.argv[1]) as data:
    parsed = parse_package(data)
    digests = [a.sha256 for a in parsed.attachments]
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"base_kib": base, "peak_kib": peak, "digests": digests}))
"""


def test_peak_memory_on_a_large_package(tmp_path):
    path = tmp_path / "large.edxml"
    digests = write_large_package(path, files=3, mib_each=20)  # ~80 MB on disk, 60 MiB of files
    size = path.stat().st_size
    proc = subprocess.run([sys.executable, "-c", CHILD, str(path)], capture_output=True, timeout=120,
                          check=True)
    out = json.loads(proc.stdout)
    assert out["digests"] == digests
    grown = (out["peak_kib"] - out["base_kib"]) * 1024
    # The mapped file itself is resident while read; the decoded files never are all at once.
    assert grown < size + 32 * 1024 * 1024, (grown, size)


SIGN_CHILD = r"""
import json, resource, sys
from tests.edxml.samples import make_identity
from vanban.edxml.cli import _open_package
from vanban.edxml import sign_package
identity = make_identity("Văn thư")
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
with _open_package(sys.argv[1]) as data:
    signed = sign_package(data, identity.key, identity.cert)
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"base_kib": base, "peak_kib": peak, "size": len(signed)}))
"""


def test_signing_a_large_package_holds_the_output_and_little_more(tmp_path):
    """The cut tree is signed (`sign_cut`): no tree holding the bodies, no canonical copy of
    them. Before, signxml's path grew the peak by about five times the package."""
    path = tmp_path / "large.edxml"
    write_large_package(path, files=2, mib_each=12)
    size = path.stat().st_size
    proc = subprocess.run([sys.executable, "-c", SIGN_CHILD, str(path)], capture_output=True, timeout=120,
                          check=True, cwd=Path(__file__).resolve().parents[2])
    out = json.loads(proc.stdout)
    assert out["size"] > size  # the signature added
    grown = (out["peak_kib"] - out["base_kib"]) * 1024
    # The mapped input and the signed output are both resident; nothing else of that size.
    assert grown < 2 * size + 32 * 1024 * 1024, (grown, size)
