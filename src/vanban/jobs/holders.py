"""Who holds a lease: this process, named so that another process can tell whether it still runs.

A work item's lease (`workitems.claim`) lets another worker take the row once it runs out —
60 s for the office's outbox and inbox. A worker that was killed (OOM, `kill -9`, a restart
that did not wait) holds its rows until then although nothing will finish them. A holder on
this machine is named with the kernel's boot, its PID (and time) namespace, its PID and the
moment it started, so a process here reads `/proc` and knows the holder is gone: a PID reused
by another process has another start time. A holder on another machine (or in another
container's PID namespace — a restarted container has a new one) cannot be looked at, nor one
whose `/proc` entry this process may not read: its rows wait for the lease, as before. Only a
holder surely gone is judged dead.

Linux only; elsewhere (a developer's Mac) the name has no machine part and nothing is ever
judged dead.
"""

from __future__ import annotations

import functools
import os
import secrets
import socket
from pathlib import Path

__all__ = ["alive", "local_prefix", "this_process"]

_PROC = Path("/proc")


@functools.cache
def _machine() -> str | None:
    """This kernel's boot and this process's PID and time namespaces: a PID names the same
    process only within both, and a start time reads the same only within one time namespace."""
    try:
        boot = (_PROC / "sys/kernel/random/boot_id").read_text().strip().replace("-", "")[:12]
        spaces = [os.stat(_PROC / "self/ns/pid").st_ino]
        if (_PROC / "self/ns/time").exists():
            spaces.append(os.stat(_PROC / "self/ns/time").st_ino)
        if os.readlink(_PROC / "self") != str(os.getpid()):
            return None  # a /proc of another PID namespace: what it says of PIDs is not about ours
    except OSError:
        return None
    return f"{socket.gethostname()[:64]}/{boot}/{'.'.join(map(str, spaces))}"


def local_prefix() -> str | None:
    """The start every holder of this machine's namespace has; None where it cannot be known."""
    machine = _machine()
    return None if machine is None else machine + "/"


def _started(pid: int) -> str | None:
    """The process's start time in clock ticks since boot (`/proc/<pid>/stat`, field 22); "" when
    it is surely gone (no such process, or a zombie: dead, not yet reaped); None when that cannot
    be told (its entry hidden by `hidepid`, refused by SELinux/AppArmor, or any other error)."""
    try:
        stat = (_PROC / str(pid) / "stat").read_text()
    except FileNotFoundError:
        try:  # hidden and missing look alike in /proc; the kernel itself tells them apart
            os.kill(pid, 0)
        except ProcessLookupError:
            return ""
        except OSError:
            return None
        return None  # it runs, but its entry cannot be read
    except OSError:
        return None
    fields = stat[stat.rfind(")") + 2:].split()  # the name may hold spaces and ')': cut after the last
    if len(fields) < 20:
        return None
    return "" if fields[0] in ("Z", "X") else fields[19]


def this_process() -> str:
    """The name this process's leases carry (at most 120 characters)."""
    return _name(os.getpid())


@functools.cache
def _name(pid: int) -> str:  # keyed by PID: a forked child is another holder
    machine, started = _machine(), _started(pid)
    if machine is None or not started:  # this process unreadable in /proc: a name nobody judges
        # A random part too: two containers sharing a host name can both run as PID 1, and
        # `workitems.release_mine` frees the rows under its own name exactly.
        # Kept in the environment, so that a restart in place (an exec: same PID) keeps the name.
        nonce = os.environ.setdefault("VANBAN_HOLDER_NONCE", secrets.token_hex(6))
        return f"{socket.gethostname()[:64]}:{pid}:{nonce}"
    return f"{machine}/{pid}/{started}"


def alive(holder: str) -> bool | None:
    """Does the process named `holder` still run? False only when it surely does not (gone,
    a zombie, or its PID now another process's); None when it cannot be told from here (another
    machine, boot or namespace, a hidden entry, a name not made by `this_process`)."""
    prefix = local_prefix()
    if prefix is None or not holder.startswith(prefix):
        return None
    pid, _, started = holder[len(prefix):].partition("/")
    if not pid.isdigit() or not started.isdigit():
        return None
    now = _started(int(pid))
    if now is None:
        return None
    return now == started
