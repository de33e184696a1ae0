"""Where a document's CPU goes during a drain: CPU seconds by process group, read from `/proc`
(Linux) at the first document sent and at the end, divided by the documents sent in between.
bench/pipeline_bench.py prints the line.

A process that exits between the two readings takes its CPU with it, so the figures mean
something only for a run without kills (the bench's); the test prints them only then.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path

CPU_LINE = "cpu per document"  # the line's first words (bench/pipeline_bench.py keeps it)
_TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _processes() -> list[tuple[int, int, str, int]]:
    """(pid, process group, command, user + system ticks) of every process now running."""
    out = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            text = (entry / "stat").read_text()
        except OSError:  # gone meanwhile
            continue
        comm = text[text.index("(") + 1:text.rindex(")")]
        fields = text[text.rindex(")") + 2:].split()  # from field 3 (state) on: see proc(5)
        out.append((int(entry.name), int(fields[2]), comm, int(fields[11]) + int(fields[12])))
    return out


def _machine() -> tuple[int, int]:
    """(busy, idle) ticks of all CPUs since boot (/proc/stat's first line; iowait counts as idle)."""
    fields = Path("/proc/stat").read_text().split()[1:9]
    user, nice, system, idle, iowait, irq, softirq, steal = (int(x) for x in fields)
    return user + nice + system + irq + softirq + steal, idle + iowait


@dataclass
class Reading:
    at: float
    groups: dict[str, int]
    busy: int
    idle: int


@dataclass
class CpuMeter:
    """`worker_pid`, `hub_pid`: the leaders of the office worker's and the hub's process groups."""

    worker_pid: int
    hub_pid: int
    start: Reading | None = None
    sent_at_start: int = 0
    names: list[str] = field(default_factory=lambda: [
        "office worker", "PDF checks", "hub", "PostgreSQL", "test process"])

    def read(self) -> Reading:
        groups = dict.fromkeys(self.names, 0)
        me = os.getpid()
        for pid, group, comm, ticks in _processes():
            if pid == self.worker_pid:
                groups["office worker"] += ticks
            elif group == self.worker_pid:
                groups["PDF checks"] += ticks  # the worker's verifying children
            elif group == self.hub_pid:
                groups["hub"] += ticks
            elif comm == "postgres":
                groups["PostgreSQL"] += ticks
            elif pid == me:
                groups["test process"] += ticks
        busy, idle = _machine()
        return Reading(time.monotonic(), groups, busy, idle)

    def observe(self, sent: int) -> None:
        """Called as the run goes: the window opens at the first document sent (Linux only: a
        machine without /proc, a developer's Mac, measures nothing and says so)."""
        if self.start is None and sent > 0 and Path("/proc/stat").exists():
            self.start, self.sent_at_start = self.read(), sent

    def summary(self, total: int) -> str:
        """The line for a run of `total` documents, read now (at its end)."""
        if self.start is None:
            return f"{CPU_LINE}: unknown (no document was seen sent, or no /proc here)"
        end, documents = self.read(), max(1, total - self.sent_at_start)
        per_doc = {name: (end.groups[name] - self.start.groups[name]) / _TICK / documents * 1000 for name in self.names}
        busy = (end.busy - self.start.busy) / _TICK / documents * 1000
        idle_share = (end.idle - self.start.idle) / max(1, (end.idle - self.start.idle) + (end.busy - self.start.busy))
        other = busy - sum(per_doc.values())
        parts = " · ".join(f"{name} {ms:.1f}" for name, ms in per_doc.items())
        return (f"{CPU_LINE} (ms, {documents} documents in {end.at - self.start.at:.1f} s from the first sent, "
                f"{os.cpu_count()} CPUs): {parts} · other {other:.1f} · all {busy:.1f}; idle {idle_share:.0%}")
