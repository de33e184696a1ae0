"""Memory stays bounded: a large package is read without a second copy of its files."""

from __future__ import annotations

import json
import subprocess
import sys

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
