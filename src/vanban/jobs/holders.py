"""Who holds a lease: this process, named so that another process can tell whether it still runs.

A work item's lease (`workitems.claim`) lets another worker take the row once it runs out —
60 s for the office's outbox and inbox. A worker that was killed (OOM, `kill -9`, a restart
that did not wait) holds its rows until then although nothing will finish them. A holder on
this machine is named with the kernel's boot, its PID namespace, its PID and the moment it
started, so a process here reads `/proc` and knows the holder is gone: a PID reused by
another process has another start time. A holder on another machine (or in another
container's PID namespace) cannot be looked at: its rows wait for the lease, as before.

Linux only; elsewhere (a developer's Mac) the name has no machine part and nothing is ever
judged dead.
"""

from __future__ import annotations

import functools
import os
import socket
from pathlib import Path

__all__ = ["alive", "local_prefix", "this_process"]

_PROC = Path("/proc")


@functools.cache
def _machine() -> str | None:
    """This kernel's boot and this PID namespace: PIDs mean the same process only within both."""
    try:
        boot = (_PROC / "sys/kernel/random/boot_id").read_text().strip().replace("-", "")[:12]
        namespace = os.stat(_PROC / "self/ns/pid").st_ino
    except OSError:
        return None
    return f"{socket.gethostname()[:64]}/{boot}/{namespace}"


def local_prefix() -> str | None:
    """The start every holder of this machine's namespace has; None where it cannot be known."""
    machine = _machine()
    return None if machine is None else machine + "/"


def _started(pid: int) -> str | None:
    """The process's start time in clock ticks since boot (`/proc/<pid>/stat`, field 22), or
    None when there is no such process or it is a zombie (dead, not yet reaped)."""
    try:
        stat = (_PROC / str(pid) / "stat").read_text()
    except OSError:
        return None
    fields = stat[stat.rfind(")") + 2:].split()  # the name may hold spaces and ')': cut after the last
    if len(fields) < 20 or fields[0] in ("Z", "X"):
        return None
    return fields[19]


def this_process() -> str:
    """The name this process's leases carry (at most 120 characters)."""
    return _name(os.getpid())


@functools.cache
def _name(pid: int) -> str:  # keyed by PID: a forked child is another holder
    machine = _machine()
    if machine is None:
        return f"{socket.gethostname()[:64]}:{pid}"
    return f"{machine}/{pid}/{_started(pid) or 0}"


def alive(holder: str) -> bool | None:
    """Does the process named `holder` still run? None when it cannot be told from here
    (another machine, namespace or boot, or a name not made by `this_process`)."""
    prefix = local_prefix()
    if prefix is None or not holder.startswith(prefix):
        return None
    pid, _, started = holder[len(prefix):].partition("/")
    if not pid.isdigit() or not started.isdigit():
        return None
    return _started(int(pid)) == started
