"""One HTTP transport under every client of a hub (httpx; pure: no Django).

`vanban.hubclient.HubClient` (our hub's API) and `vanban.vxp.client.VxpClient` (the national
hub's SDK protocol) both send their requests through `Transport`, so that:

- **one pool per process and thread**: one `httpx.Client`, shared by every Transport made
  there (the office builds a client per round; the pool outlives it). A forked worker makes
  its own pool, never the parent's sockets. Connections are kept alive and reused only with
  `VANBAN_HTTP_KEEPALIVE=1`: measured on 05/12/2026, kept-alive connections from polling
  clients held gunicorn 24's graceful shutdown of a hub for its whole grace period (a test
  hub needed SIGKILL after 20 s; a parent restarted under its children took 41 s instead of
  20 s to deliver), so the default closes each connection after its answer until that is
  solved. Narrowed on 05/12/2026: a bare `vanban serve` (gthread or sync) with three kept-alive
  clients polling every 0–100 ms stops in about 1 s, yet `tests/hub/test_federation.py` and
  `test_vxp_federation.py` take 174 s with keep-alive against 100 s without — the wait is in
  the federation set-up (hubs that are clients of each other), not in gunicorn alone;
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

__all__ = ["BODY_TOO_LARGE", "BodyTooLargeError", "HttpStatusError", "Response", "Transport",
           "UnreachableError", "error_from", "max_body_bytes", "shared_client"]

BODY_TOO_LARGE = "HTTP_BODY_TOO_LARGE"
HTTP_ERROR = "HTTP_ERROR"
_MIB = 1024 * 1024
_CHUNK = 64 * 1024

Headers = Mapping[str, str | bytes] | Sequence[tuple[str, str | bytes]]


class HttpStatusError(Exception):
    """The server answered with an error: HTTP status, stable code and its message."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(f"HTTP {status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message


class UnreachableError(Exception):
    """No answer: connection refused, timeout, DNS, a connection dropped mid-answer."""


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
    """`VANBAN_HTTP_KEEPALIVE=1`: keep connections open for the next request (module docstring)."""
    return _env_int("VANBAN_HTTP_KEEPALIVE", 0) > 0


def shared_client() -> httpx.Client:
    """This thread's pooled client, made on first use, after a fork, and when the keep-alive
    setting changed."""
    pid, keep = os.getpid(), keepalive()
    client: httpx.Client | None = getattr(_local, "client", None)
    if (client is None or getattr(_local, "pid", None) != pid or getattr(_local, "keep", None) != keep
            or client.is_closed):
        # Accept-Encoding identity: the bound counts the bytes as sent, no decompression bomb.
        client = httpx.Client(headers={"Accept-Encoding": "identity"}, follow_redirects=False, trust_env=False,
                              limits=httpx.Limits(max_connections=20, max_keepalive_connections=10 if keep else 0,
                                                  keepalive_expiry=60.0))
        _local.client, _local.pid, _local.keep = client, pid, keep
    return client


class Transport:
    """Requests to one base URL over this thread's pooled connections."""

    def __init__(self, base_url: str, *, timeout: float = 30.0, max_body: int | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.max_body = max_body if max_body is not None else max_body_bytes()
        connect = min(float(timeout), connect_timeout_seconds())
        self.timeout = httpx.Timeout(float(timeout), connect=connect)

    def request(self, method: str, path: str, *, content: bytes | None = None,
                headers: Headers = ()) -> Response:
        """One request; the answer whatever its status, its body read up to `max_body`.

        Raises UnreachableError (no or a broken answer) and BodyTooLargeError only.
        """
        url = self.base_url + path
        if not url.startswith(("http://", "https://")):
            raise UnreachableError(f"{self.base_url}: không phải địa chỉ http(s)")
        try:
            request = shared_client().build_request(method, url, content=content, headers=_header_list(headers),
                                                    timeout=self.timeout)
            response = shared_client().send(request, stream=True)
            try:
                return Response(response.status_code, self._read(response), response.headers)
            finally:
                response.close()
        except httpx.TimeoutException as exc:
            raise UnreachableError(f"{self.base_url}: hết thời gian chờ ({type(exc).__name__})") from None
        except (httpx.TransportError, OSError) as exc:
            raise UnreachableError(f"{self.base_url}: không kết nối được ({exc})") from None

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
