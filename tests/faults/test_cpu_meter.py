"""The pipeline bench's CPU table (`tests/faults/cpu.py`) reads real processes: this one's CPU
shows up in its group, and the machine's busy and idle ticks move forward."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.faults.cpu import CPU_LINE, CpuMeter

pytestmark = [pytest.mark.unit,
              pytest.mark.skipif(not Path("/proc/stat").exists(), reason="reads /proc (Linux)")]


def test_the_meter_counts_this_process_and_the_machine() -> None:
    meter = CpuMeter(worker_pid=-1, hub_pid=-1)
    assert meter.summary(10).startswith(f"{CPU_LINE}: unknown")  # no document seen sent yet
    meter.observe(0)
    assert meter.start is None  # the window opens at the first document sent
    meter.observe(2)
    before = meter.start
    assert before is not None and meter.sent_at_start == 2
    sum(i * i for i in range(3_000_000))  # some CPU of this process
    after = meter.read()
    assert after.groups["test process"] > before.groups["test process"]
    assert after.busy > before.busy and after.at > before.at
    line = meter.summary(12)
    assert line.startswith(CPU_LINE) and "10 documents" in line and f"{os.cpu_count()} CPUs" in line
    assert "test process" in line and "idle" in line
