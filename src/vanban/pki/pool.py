"""Validate many PDFs at once, in worker processes.

PAdES validation is pure CPU in Python (PDF parsing, CMS, path building): in one process it
holds the GIL and the exchange worker receives at the pace of one core. The receiver checks
a whole inbox batch first, in parallel, then registers the arrivals in order with the
reports it already has. Processes are spawned (not forked from a threaded server) and kept
for the next batch; each builds its trust store from PEM bytes once per anchor set.
"""

from __future__ import annotations

import hashlib
import os
import threading
import time
from collections.abc import Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from multiprocessing import get_context
from typing import cast

from cryptography.hazmat.primitives.serialization import Encoding

from vanban.pki.errors import PkiError
from vanban.pki.report import ValidationReport
from vanban.pki.trust import TrustStore
from vanban.pki.validate import validate_pdf

Outcome = ValidationReport | PkiError

_lock = threading.Lock()
_pools: dict[int, ProcessPoolExecutor] = {}
_stores: dict[str, TrustStore] = {}  # in each child: anchor set digest → store


def anchors_pem(trust: TrustStore) -> tuple[bytes, ...]:
    return tuple(a.cert.public_bytes(Encoding.PEM) for a in trust)


def _store_for(pems: tuple[bytes, ...], policy: tuple[bool, bool, int] = (False, False, 0)) -> TrustStore:
    key = hashlib.sha256(b"".join(pems)).hexdigest() + repr(policy)
    if key not in _stores:
        _stores.clear()
        _stores[key] = TrustStore.from_bytes(pems, allow_fetching=policy[0], require_revocation=policy[1],
                                             cache_seconds=policy[2])
    return _stores[key]


def _validate_in_child(pdf: bytes, pems: tuple[bytes, ...],
                       policy: tuple[bool, bool, int] = (False, False, 0)) -> tuple[str, object, str]:
    """Errors travel as (code, message): an exception with its own __init__ does not unpickle.
    `policy`: the store's revocation policy (`TrustStore.policy`), which PEMs do not carry."""
    try:
        return "ok", validate_pdf(pdf, _store_for(pems, policy)), ""
    except PkiError as exc:
        return "error", exc.code, exc.message


def _die_with_parent(parent: int) -> None:
    """A worker killed with SIGKILL leaves no validating orphans behind: the children hold
    the task pipe open for each other, so they would wait on it forever. Checked once a
    second (PR_SET_PDEATHSIG would fire when the spawning *thread* ends, not the process)."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1)
        os._exit(0)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def _pool(processes: int) -> ProcessPoolExecutor:
    with _lock:
        if processes not in _pools:
            _pools[processes] = ProcessPoolExecutor(max_workers=processes, mp_context=get_context("spawn"),
                                                    initializer=_die_with_parent, initargs=(os.getpid(),))
        return _pools[processes]


def validate_many(pdfs: Sequence[bytes], trust: TrustStore, *, processes: int) -> list[Outcome]:
    """One outcome per PDF, in order: a report, or the PkiError `validate_pdf` would raise.

    With `processes` ≤ 1 or a single PDF it validates here (a pool is not worth starting).
    """
    return start_many(pdfs, trust, processes=processes).outcomes()


class Checking:
    """PDFs being validated in the child processes while the caller goes on (the receiver
    registers the previous round's arrivals meanwhile); `outcomes` waits for them."""

    def __init__(self, pdfs: Sequence[bytes], trust: TrustStore, processes: int,
                 futures: list[Future[tuple[str, object, str]]] | None,
                 pool: ProcessPoolExecutor | None = None) -> None:
        self._pdfs, self._trust, self._processes, self._futures = pdfs, trust, processes, futures
        self._pool = pool

    def outcomes(self) -> list[Outcome]:
        if self._futures is None:
            return _validate_here(self._pdfs, self._trust)
        try:
            results = [f.result() for f in self._futures]
        except BrokenProcessPool:  # a child died (killed, out of memory): a new pool next time
            _drop_pool(self._processes, self._pool)
            return _validate_here(self._pdfs, self._trust)
        # a child answers ("ok", its ValidationReport, "") or ("error", code, message)
        return [cast(ValidationReport, report) if kind == "ok" else PkiError(str(report), message)
                for kind, report, message in results]


def start_many(pdfs: Sequence[bytes], trust: TrustStore, *, processes: int) -> Checking:
    """`validate_many` begun: the PDFs are handed to the child processes now, and the caller
    asks for the outcomes when it needs them. With `processes` ≤ 1 or a single PDF nothing
    starts: they are validated here when asked for."""
    if processes <= 1 or len(pdfs) < 2:
        return Checking(pdfs, trust, processes, None)
    pems, policy = anchors_pem(trust), trust.policy()
    pool = _pool(processes)
    try:
        futures = [pool.submit(_validate_in_child, pdf, pems, policy) for pdf in pdfs]
    except BrokenProcessPool:
        _drop_pool(processes, pool)
        return Checking(pdfs, trust, processes, None)
    return Checking(pdfs, trust, processes, futures, pool)


def _validate_here(pdfs: Sequence[bytes], trust: TrustStore) -> list[Outcome]:
    out: list[Outcome] = []
    for pdf in pdfs:
        try:
            out.append(validate_pdf(pdf, trust))
        except PkiError as exc:
            out.append(exc)
    return out


def _drop_pool(processes: int, pool: ProcessPoolExecutor | None) -> None:
    """Forget a broken pool; not a newer one started meanwhile (rounds overlap: the next round's
    checks may already run in a new pool when the old one's breakage is seen)."""
    with _lock:
        if pool is not None and _pools.get(processes) is pool:
            del _pools[processes]
