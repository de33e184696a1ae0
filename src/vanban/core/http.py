"""One HTTP transport under every client of a hub (httpx; pure: no Django).

`vanban.hubclient.HubClient` (our hub's API) and `vanban.vxp.client.VxpClient` (the national
hub's SDK protocol) both send their requests through `Transport`, so that:

- **one pool per process and thread**: one `httpx.Client`, shared by every Transport made
  there (the office builds a client per round; the pool outlives it). A forked worker makes
  its own pool, never the parent's sockets. Connections are **kept alive and reused** by
  default (`VANBAN_HTTP_KEEPALIVE=0` closes each after its answer): the requests of a round,
  and the rounds that follow at once, go over one connection per worker thread and hub;
- **an idle connection leaves the pool early**: after `VANBAN_HTTP_KEEPALIVE_EXPIRY` (default
  1.5 s), before gunicorn's 2-s keep-alive (`vanban serve`) closes it at the other end, so the
  client does not race that close. A request that still meets a pooled connection the server
  has just closed — it went out, no answer at all came back — is sent **once more** on a new
  connection if it is idempotent: GET, HEAD, OPTIONS, PUT, DELETE, and the POSTs a caller
  marks (`HubClient`: packages, acks, checkpoints, which the hub applies once however often
  they arrive; `VxpClient`: the reads). Not on a new connection, not a second time, not an
  answer broken off midway;
- **what kept keep-alive off until 05/12/2026**: kept-alive connections held gunicorn 24's
  graceful stop of a hub for its whole grace period (the federation tests: 21-s teardowns
  ending in SIGKILL; a parent restarted under its children took 41 s instead of 20 s). The
  cause, measured on 05/12/2026, is gunicorn's `gthread` worker, not the client and not
  Django's live server: once told to stop it waits in `select(grace time left)` and closes
  timed-out kept-alive connections only when that returns, so a connection used in the 2 s
  before SIGTERM and idle since raises no event and holds the worker 30 s (`vanban serve`
  plus one client idle 0.5 s: 30.6 s to stop; idle 3 s, or polling every 0–100 ms, whose
  next request wakes the worker: about 1 s). The live server (the national hub of the
  federation tests) runs its requests in daemon threads, which socketserver does not join,
  and stops once per session. `vanban serve` now runs `vanban.web.gworker.ThreadWorker`,
  which closes idle kept-alive connections as the stop begins: 1.1 s in the same case.
  `tests/hub/test_federation.py` + `test_vxp_federation.py` on 05/12/2026, 2 CPUs shared
  with another suite (load 3–6: totals vary by tens of seconds from run to run): the code
  before, keep-alive off, 175 s; on in the test process only, 184 s with four SIGKILLs (two
  teardowns of 21 s, two parent-down tests of 33 s); now, on by default in every process,
  121, 154, 164, 169 and 175 s in five runs, every hub stopped in 0.7–1.6 s, teardowns
  1.6–3.7 s;
- **timeouts are per phase**: connecting gives up early (`VANBAN_HTTP_CONNECT_TIMEOUT`,
  default 10 s), reading, writing and waiting for a pooled connection take the caller's;
- **no body is read unbounded**: answers are streamed and refused past `max_body_bytes`
  (`VANBAN_HTTP_MAX_BODY_MB`, default 300: a 200 MB package base64-encoded in a VXP answer)
  with `BodyTooLargeError`, code `HTTP_BODY_TOO_LARGE`, before more is read;
- **errors are mapped once**: no answer → `UnreachableError`; an error answer →
  `HttpStatusError` with the hub's stable code and message (`{"error": {"code", "message"}}`),
  or `HTTP_ERROR` and the first 300 bytes when the body is not that shape.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import httpx

__all__ = ["BODY_TOO_LARGE", "IDEMPOTENT_METHODS", "BodyTooLargeError", "HttpStatusError", "Response",
           "Transport", "UnreachableError", "close_pool", "error_from", "keepalive", "keepalive_expiry_seconds",
           "max_body_bytes", "shared_client"]

BODY_TOO_LARGE = "HTTP_BODY_TOO_LARGE"
HTTP_ERROR = "HTTP_ERROR"
_MIB = 1024 * 1024
_CHUNK = 64 * 1024
_KEEPALIVE_EXPIRY = 1.5  # seconds: under gunicorn's 2-s keep-alive (`vanban serve`)
# Methods a client may send again when a connection dropped before any answer (RFC 9110, 9.2.2).
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE"})
# A pooled connection that the server closed just as the request went out: no answer, only this.
_STALE = (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError)

Headers = Mapping[str, str | bytes] | Sequence[tuple[str, str | bytes]]


class HttpStatusError(Exception):
    """The server answered with an error: HTTP status, stable code and its message."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(f"HTTP {status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message


class UnreachableError(Exception):
    """No answer: connection refused, timeout, DNS, a connection dropped mid-answer.
    `connected`: whether a connection was made — False means the server was not there at all
    (refused, DNS, connect timeout); True, that it took the request and then did not answer,
    which may be the request's own doing (too slow, or it crashed the server)."""

    def __init__(self, message: str, *, connected: bool = True) -> None:
        super().__init__(message)
        self.connected = connected


class BodyTooLargeError(HttpStatusError):
    """The answer is bigger than this client reads; nothing of it is handed on."""


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    try:
        return int(raw) if raw else default
    except ValueError:
        return default


def max_body_bytes() -> int:
    """The largest answer read (`VANBAN_HTTP_MAX_BODY_MB`, default 300 MB)."""
    return max(1, _env_int("VANBAN_HTTP_MAX_BODY_MB", 300)) * _MIB


def connect_timeout_seconds() -> float:
    return float(max(1, _env_int("VANBAN_HTTP_CONNECT_TIMEOUT", 10)))


@dataclass(frozen=True)
class Response:
    status: int
    body: bytes
    headers: httpx.Headers


_local = threading.local()


def keepalive() -> bool:
    """Keep connections open for the next request: the default; `VANBAN_HTTP_KEEPALIVE=0` turns it off."""
    return _env_int("VANBAN_HTTP_KEEPALIVE", 1) > 0


def keepalive_expiry_seconds() -> float:
    """How long an idle connection stays in the pool (`VANBAN_HTTP_KEEPALIVE_EXPIRY`, default 1.5 s)."""
    raw = os.environ.get("VANBAN_HTTP_KEEPALIVE_EXPIRY", "").strip()
    try:
        seconds = float(raw) if raw else _KEEPALIVE_EXPIRY
    except ValueError:
        seconds = _KEEPALIVE_EXPIRY
    return seconds if seconds > 0 else _KEEPALIVE_EXPIRY


def close_pool() -> None:
    """Close this thread's pooled connections now, rather than when they next expire: for a
    process or a test that ends while a server still holds the other end (a kept-alive
    connection keeps a thread of Django's test server, and its database session, waiting)."""
    client: httpx.Client | None = getattr(_local, "client", None)
    if client is not None:
        client.close()


def shared_client() -> httpx.Client:
    """This thread's pooled client, made on first use, after a fork, and when the keep-alive
    settings changed."""
    key = (os.getpid(), keepalive(), keepalive_expiry_seconds())
    client: httpx.Client | None = getattr(_local, "client", None)
    if client is None or getattr(_local, "key", None) != key or client.is_closed:
        _, keep, expiry = key
        # Accept-Encoding identity: the bound counts the bytes as sent, no decompression bomb.
        client = httpx.Client(headers={"Accept-Encoding": "identity"}, follow_redirects=False, trust_env=False,
                              limits=httpx.Limits(max_connections=20, max_keepalive_connections=10 if keep else 0,
                                                  keepalive_expiry=expiry))
        _local.client, _local.key = client, key
    return client


class Transport:
    """Requests to one base URL over this thread's pooled connections."""

    def __init__(self, base_url: str, *, timeout: float = 30.0, max_body: int | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.max_body = max_body if max_body is not None else max_body_bytes()
        connect = min(float(timeout), connect_timeout_seconds())
        self.timeout = httpx.Timeout(float(timeout), connect=connect)

    def request(self, method: str, path: str, *, content: bytes | None = None,
                headers: Headers = (), idempotent: bool | None = None) -> Response:
        """One request; the answer whatever its status, its body read up to `max_body`.

        A request that went out on a pooled (kept-alive) connection and got no answer at all —
        the server had closed that connection as it sat idle — is sent once more on a new
        connection, if it is `idempotent`: by default GET, HEAD, OPTIONS, PUT, DELETE; a caller
        says True for a POST the server applies once however often it arrives. An answer
        broken off midway is never sent again here.

        Raises UnreachableError (no or a broken answer) and BodyTooLargeError only.
        """
        url = self.base_url + path
        if not url.startswith(("http://", "https://")):
            raise UnreachableError(f"{self.base_url}: không phải địa chỉ http(s)", connected=False)
        again = method.upper() in IDEMPOTENT_METHODS if idempotent is None else idempotent
        try:
            while True:
                reused = _Reuse()
                request = shared_client().build_request(method, url, content=content,
                                                        headers=_header_list(headers), timeout=self.timeout,
                                                        extensions={"trace": reused.trace})
                try:
                    response = shared_client().send(request, stream=True)
                except _STALE:
                    if again and reused.pooled:
                        again = False  # once: a second failure is the server's, not a stale socket
                        continue
                    raise
                try:
                    return Response(response.status_code, self._read(response), response.headers)
                finally:
                    response.close()
        except httpx.TimeoutException as exc:
            raise UnreachableError(f"{self.base_url}: hết thời gian chờ ({type(exc).__name__})",
                                   connected=not isinstance(exc, httpx.ConnectTimeout)) from None
        except (httpx.TransportError, OSError) as exc:
            raise UnreachableError(f"{self.base_url}: không kết nối được ({exc})",
                                   connected=not isinstance(exc, httpx.ConnectError)) from None

    def _read(self, response: httpx.Response) -> bytes:
        """The body, or BodyTooLargeError as soon as it is known to pass the bound."""
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > self.max_body:
            raise self._too_large(response.status_code)
        chunks, size = [], 0
        for chunk in response.iter_bytes(_CHUNK):
            size += len(chunk)
            if size > self.max_body:
                raise self._too_large(response.status_code)
            chunks.append(chunk)
        return b"".join(chunks)

    def _too_large(self, status: int) -> BodyTooLargeError:
        return BodyTooLargeError(status, BODY_TOO_LARGE,
                                 f"Câu trả lời từ {self.base_url} vượt giới hạn {self.max_body} byte; "
                                 f"không đọc tiếp.")


class _Reuse:
    """Whether a request went out on a pooled connection: httpcore's trace reports each new one."""

    def __init__(self) -> None:
        self.pooled = True

    def trace(self, event: str, info: Mapping[str, object]) -> None:
        if event.endswith("connect_tcp.started"):
            self.pooled = False


def error_from(status: int, body: bytes) -> HttpStatusError:
    """An error answer as the hub writes it, `{"error": {"code", "message"}}`, or HTTP_ERROR."""
    try:
        error = json.loads(body)["error"]
        code, message = str(error["code"]), str(error["message"])
    except (ValueError, KeyError, TypeError):
        code, message = HTTP_ERROR, body[:300].decode("utf-8", "replace")
    return HttpStatusError(status, code, message)


def _header_list(headers: Headers) -> list[tuple[bytes, bytes]]:
    """Header lines in the order and case given; values as UTF-8 (ASCII stays as it is)."""
    items = list(headers.items()) if isinstance(headers, Mapping) else list(headers)
    return [(name.encode("ascii"), value.encode("utf-8") if isinstance(value, str) else value)
            for name, value in items]
