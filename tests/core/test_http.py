"""The shared HTTP transport (vanban.core.http) against a tiny HTTP/1.1 server on loopback.

The server counts the TCP connections it accepts, so keep-alive is asserted on the wire, not
on the client's own bookkeeping; told to, it drops a request that came on a connection it has
already answered on (no answer, the connection closed: what a client meets when a server
closes an idle kept-alive connection just as the next request goes out).
"""

from __future__ import annotations

import json
import socket
import socketserver
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from vanban.core.http import (
    BODY_TOO_LARGE,
    BodyTooLargeError,
    Transport,
    UnreachableError,
    close_pool,
    keepalive_expiry_seconds,
)
from vanban.hubclient import HubClient, HubHttpError, HubUnreachableError

pytestmark = pytest.mark.unit


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive when a Content-Length is sent
    server: _CountingServer

    def setup(self) -> None:
        super().setup()
        self.answered = 0  # requests answered on this connection

    def handle_one_request(self) -> None:
        super().handle_one_request()
        self.answered += 1

    def _dropped(self) -> bool:
        """Drop this request unanswered (closing the connection) when the server is told to."""
        self.server.received.append(f"{self.command} {self.path}")
        drop = self.server.drop
        if drop == "none" or (drop == "reused" and self.answered == 0):
            return False
        if drop == "after-first" and self.server.received == [f"{self.command} {self.path}"]:
            return False
        self.server.dropped += 1
        self.close_connection = True
        return True

    def do_GET(self) -> None:
        if self._dropped():
            return
        if self.path.startswith("/big"):
            size = int(self.path.rsplit("/", 1)[1])
            chunked = "chunked" in self.path
            self.send_response(200)
            if chunked:  # no Content-Length: the bound must stop the stream itself
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                for start in range(0, size, 4096):
                    piece = b"x" * min(4096, size - start)
                    self.wfile.write(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
                self.wfile.write(b"0\r\n\r\n")
            else:
                self.send_header("Content-Length", str(size))
                self.end_headers()
                self.wfile.write(b"x" * size)
            return
        if self.path == "/refused":
            self._json(409, {"error": {"code": "DUPLICATE_THING", "message": "Đã có."}})
            return
        if self.path == "/broken":
            self._raw(502, b"<html>bad gateway</html>")
            return
        self._json(200, {"path": self.path, "headers": [[k, v] for k, v in self.headers.items()]})

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length)
        if self._dropped():
            return
        self._json(201, {"size": len(body)})

    def _json(self, status: int, doc: object) -> None:
        self._raw(status, json.dumps(doc).encode("utf-8"))

    def _raw(self, status: int, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        return


class _CountingServer(ThreadingHTTPServer):
    daemon_threads = True
    accepted = 0
    dropped = 0
    drop = "none"  # "reused": every request on an answered connection; "after-first": all but the first

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.received: list[str] = []

    def process_request(self, request: socketserver._RequestType, client_address: object) -> None:  # type: ignore[override]
        self.accepted += 1
        super().process_request(request, client_address)  # type: ignore[arg-type]


@pytest.fixture
def server() -> Iterator[_CountingServer]:
    srv = _CountingServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield srv
    srv.shutdown()
    srv.server_close()


def _url(srv: _CountingServer) -> str:
    return f"http://127.0.0.1:{srv.server_address[1]}"


def test_one_connection_carries_many_requests_across_clients(server: _CountingServer,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    # Keep-alive is the default. The office makes a new client per round; the pool is the
    # thread's, so the socket stays.
    monkeypatch.delenv("VANBAN_HTTP_KEEPALIVE", raising=False)
    monkeypatch.delenv("VANBAN_HTTP_KEEPALIVE_EXPIRY", raising=False)
    for round_ in range(3):
        client = HubClient(_url(server), "token")
        for _ in range(4):
            status, body = client._call("GET", "/agencies")
            assert (status, json.loads(body)["path"]) == (200, "/agencies")
        assert client._call("POST", "/packages", b"abc") == (201, b'{"size": 3}'), round_
    assert server.accepted == 1


def test_close_pool_lets_the_kept_connection_go_now(server: _CountingServer,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("VANBAN_HTTP_KEEPALIVE", raising=False)
    client = HubClient(_url(server), "token")
    assert client._call("GET", "/agencies")[0] == 200
    assert client._call("GET", "/agencies")[0] == 200
    assert server.accepted == 1
    close_pool()
    assert client._call("GET", "/agencies")[0] == 200  # a new pool, a new connection
    assert server.accepted == 2


def test_without_keepalive_each_request_has_its_own_connection(server: _CountingServer,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VANBAN_HTTP_KEEPALIVE", "0")
    client = HubClient(_url(server), "token")
    for _ in range(3):
        assert client._call("GET", "/agencies")[0] == 200
    assert server.accepted == 3


def test_each_thread_has_its_own_pool(server: _CountingServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("VANBAN_HTTP_KEEPALIVE", raising=False)

    def work() -> None:
        Transport(_url(server)).request("GET", "/one")
        Transport(_url(server)).request("GET", "/two")

    threads = [threading.Thread(target=work) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert server.accepted == 2


def test_an_idle_connection_is_dropped_before_the_server_would_close_it(server: _CountingServer,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    # The pool lets an idle connection go sooner than gunicorn's keep-alive (`vanban serve`)
    # closes it, so the client does not race the server's idle timeout.
    from gunicorn.config import Config

    monkeypatch.delenv("VANBAN_HTTP_KEEPALIVE_EXPIRY", raising=False)
    assert keepalive_expiry_seconds() < Config().keepalive
    # 1 s, not less: a loaded CI machine can stall this thread for a few tenths of a second
    # between the first two requests, and the connection must still be there for the second.
    monkeypatch.setenv("VANBAN_HTTP_KEEPALIVE_EXPIRY", "1.0")
    transport = Transport(_url(server))
    transport.request("GET", "/one")
    time.sleep(0.05)
    transport.request("GET", "/two")
    assert server.accepted == 1
    time.sleep(1.3)
    transport.request("GET", "/three")
    assert server.accepted == 2


def test_a_get_on_a_stale_kept_alive_connection_is_sent_once_more(server: _CountingServer) -> None:
    server.drop = "reused"  # the server closes a connection once it has answered on it
    transport = Transport(_url(server))
    assert transport.request("GET", "/one").status == 200
    assert transport.request("GET", "/two").status == 200  # dropped on the old socket, answered on a new one
    assert (server.accepted, server.dropped) == (2, 1)
    assert server.received == ["GET /one", "GET /two", "GET /two"]


def test_a_post_is_not_sent_again_unless_the_caller_says_it_is_idempotent(server: _CountingServer) -> None:
    server.drop = "reused"
    transport = Transport(_url(server))
    transport.request("GET", "/one")
    with pytest.raises(UnreachableError):
        transport.request("POST", "/anything", content=b"abc")
    assert server.received == ["GET /one", "POST /anything"]  # once: the server may have acted on it
    assert server.accepted == 1
    # A package submission is idempotent at the hub (its key): HubClient says so, and it goes again.
    client = HubClient(_url(server), "token")
    client.agencies()
    assert client._call("POST", "/packages", b"abc", idempotent=True) == (201, b'{"size": 3}')
    assert server.received[-3:] == ["GET /agencies", "POST /packages", "POST /packages"]


def test_only_a_pooled_connection_gets_a_second_try_and_only_one(server: _CountingServer) -> None:
    server.drop = "after-first"  # every request after the first is dropped, on any connection
    transport = Transport(_url(server))
    transport.request("GET", "/one")
    with pytest.raises(UnreachableError):
        transport.request("GET", "/two")  # stale socket, then a new one that also fails: no third
    assert server.received == ["GET /one", "GET /two", "GET /two"]
    with pytest.raises(UnreachableError) as dropped:
        transport.request("GET", "/three")  # on a new connection: a failure there is the server's
    assert dropped.value.connected  # it took the request: not "the server is not there"
    assert server.received[-1:] == ["GET /three"] and len(server.received) == 4
    assert server.accepted == 3


@pytest.mark.parametrize("kind", ["declared", "chunked"])
def test_a_body_past_the_bound_is_refused_with_the_stable_code(server: _CountingServer, kind: str) -> None:
    transport = Transport(_url(server), max_body=10_000)
    assert len(transport.request("GET", f"/big/{kind}/10000").body) == 10_000
    with pytest.raises(BodyTooLargeError) as caught:
        transport.request("GET", f"/big/{kind}/10001")
    assert caught.value.code == BODY_TOO_LARGE
    assert caught.value.status == 200
    assert "vượt giới hạn 10000 byte" in caught.value.message
    # A HubHttpError for every caller that already handles the hub's refusals.
    assert isinstance(caught.value, HubHttpError)


def test_a_fetch_past_the_bound_hands_back_nothing(server: _CountingServer) -> None:
    client = HubClient(_url(server), "token", max_body=1024)
    with pytest.raises(HubHttpError) as caught:
        client.fetch("../big/declared/5000")
    assert caught.value.code == BODY_TOO_LARGE


def test_error_answers_keep_the_hubs_code_or_say_http_error(server: _CountingServer) -> None:
    client = HubClient(_url(server), "token")
    with pytest.raises(HubHttpError) as refused:
        client._call("GET", "/refused")
    assert (refused.value.status, refused.value.code, refused.value.message) == (409, "DUPLICATE_THING", "Đã có.")
    with pytest.raises(HubHttpError) as broken:
        client._call("GET", "/broken")
    assert (broken.value.status, broken.value.code) == (502, "HTTP_ERROR")
    assert "bad gateway" in broken.value.message


def test_headers_keep_their_case_and_carry_utf8(server: _CountingServer) -> None:
    answer = Transport(_url(server)).request("GET", "/h", headers=[("XroadVnpt-systemid", "sys"),
                                                                   ("X-Name", "Sở Nội vụ")])
    headers = json.loads(answer.body)["headers"]
    assert ["XroadVnpt-systemid", "sys"] in headers
    names = [name for name, _ in headers]
    assert "X-Name" in names


def test_no_server_is_unreachable() -> None:
    with socketserver.TCPServer(("127.0.0.1", 0), socketserver.BaseRequestHandler) as probe:
        port = probe.server_address[1]
    with pytest.raises(HubUnreachableError) as refused:
        HubClient(f"http://127.0.0.1:{port}", "token", timeout=2).agencies()
    assert refused.value.connected is False  # the exchange retries such a failure when the hub is back
    with pytest.raises(UnreachableError) as not_http:
        Transport("ftp://example.invalid").request("GET", "/")
    assert not_http.value.connected is False


def test_a_server_that_takes_the_request_and_never_answers_was_connected() -> None:
    """A read timeout may be the request's own doing (a package too slow to take): the exchange
    keeps its backoff, unlike a refused connection."""
    with socket.socket() as silent:  # the kernel accepts the connection; nobody ever answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)
        with pytest.raises(UnreachableError) as timed_out:
            Transport(f"http://127.0.0.1:{silent.getsockname()[1]}", timeout=0.5).request("GET", "/")
    assert timed_out.value.connected is True
    assert "hết thời gian chờ (ReadTimeout)" in str(timed_out.value)
