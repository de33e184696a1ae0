"""Each fuzz target for a few seconds (VANBAN_FUZZ_SECONDS, default 3): zero unexpected
exceptions. Seeded from the run's Hypothesis seed (printed by `make test`), so that a red CI
replays with VANBAN_TEST_SEED=<seed>; `make fuzz` runs them longer and unseeded (new inputs
every time). A crash leaves its input in fuzz/corpus/."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]
SECONDS = os.environ.get("VANBAN_FUZZ_SECONDS", "3")


@pytest.mark.parametrize("target", sorted(p.name for p in (ROOT / "fuzz").glob("*_fuzz.py")))
def test_fuzz_target_finds_nothing_new(target: str, request: pytest.FixtureRequest) -> None:
    seed = int(request.config.getoption("hypothesis_seed") or 0) % 2**31
    done = subprocess.run([sys.executable, str(ROOT / "fuzz" / target), "--seconds", SECONDS, "--seed", str(seed)],
                          cwd=ROOT, capture_output=True, timeout=300, check=False)
    out = done.stdout.decode() + done.stderr.decode()
    assert done.returncode == 0, out[-4000:]
    assert "inputs in" in out
