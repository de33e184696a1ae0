"""gunicorn's threaded worker, stopping at once when only idle kept-alive connections are left.

gunicorn 24's `gthread` worker, told to stop (SIGTERM), stops accepting and then waits for
its open connections within the grace period: `select(time left)`, then it closes the kept-
alive ones that have timed out. A connection kept alive after an answer, with no request on
it, raises no event; so one such connection used in the two seconds (`--keep-alive`) before
the signal kept the worker waiting its whole grace period (30 s; a test hub was SIGKILLed
after 20 s). Measured on 05/12/2026 with `vanban serve` and one httpx client that had made a
request half a second before SIGTERM: 30.6 s to stop; with this worker, about 1 s.

Here, once the worker is told to stop, every kept-alive connection with no request on it is
closed straight away (what gunicorn already does to them two seconds after their last answer;
a request in flight still gets its answer, with `Connection: close`). A client that was just
sending on such a connection sees it closed without an answer — the race every keep-alive
client has with a server's idle timeout; `vanban.core.http` retries such a request once, on a
new connection, when it is safe to send again.
"""

from __future__ import annotations

import contextlib

from gunicorn.workers.gthread import ThreadWorker as _GthreadWorker

__all__ = ["ThreadWorker"]


class ThreadWorker(_GthreadWorker):
    """`vanban serve`'s worker class (`--worker-class vanban.web.gworker.ThreadWorker`)."""

    def murder_keepalived(self) -> None:
        # Called by the run loop after every wait, also in the same turn as the signal's
        # wake-up, and in the grace-period loop: while stopping, idle connections go now.
        if self.alive:
            super().murder_keepalived()
            return
        while self.keepalived_conns:
            conn = self.keepalived_conns.popleft()
            with contextlib.suppress(OSError, KeyError, ValueError):  # already unregistered
                self.poller.unregister(conn.sock)
            self.nr_conns -= 1
            conn.close()
