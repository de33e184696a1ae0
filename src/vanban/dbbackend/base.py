"""PostgreSQL as Django's own backend, with one change to its health check.

With CONN_HEALTH_CHECKS (set by `vanban.settings.parsers.parse_database_url`), Django checks a
kept connection with a `SELECT 1` round trip at the start of every request that uses the
database, so that a connection the server dropped while it sat idle (a restart, an idle
timeout) is replaced instead of failing the request. Here the check is skipped when the
connection finished a request without error less than FRESH_SECONDS ago: it answered just now.
Issue 23: the check was one round trip on every hub call, half of a hub cycle's round trips.

What that gives up: a server restarted within that second (after the last answer, before the
next request) is noticed by the next request failing (a 500, as a restart during a request
always does; Django then drops the connection, and the following request opens a new one)
rather than by the check. Longer idle connections are checked as before.
"""

from __future__ import annotations

import math
import time
from typing import Any

from django.db.backends.postgresql import base

FRESH_SECONDS = 1.0


class DatabaseWrapper(base.DatabaseWrapper):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.answered_at = -math.inf  # monotonic time this connection last finished a request well

    def close_if_unusable_or_obsolete(self) -> None:
        """Called at the end of a request (and at the start of the next): a connection used in it
        (opened or checked: `health_check_done`) with no error is known to answer now."""
        answered = self.connection is not None and self.health_check_done and not self.errors_occurred
        super().close_if_unusable_or_obsolete()
        if answered and self.connection is not None:
            self.answered_at = time.monotonic()

    def close_if_health_check_failed(self) -> None:
        if self.connection is not None and time.monotonic() - self.answered_at < FRESH_SECONDS:
            self.health_check_done = True  # answered less than FRESH_SECONDS ago
            return
        super().close_if_health_check_failed()
