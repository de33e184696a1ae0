"""`vanban serve` stops at once although a client keeps a connection alive on it.

gunicorn 24's own threaded worker waits its whole grace period (30 s) for a kept-alive
connection that carries no request, if that connection was used in the two seconds before
the stop; `vanban.web.gworker.ThreadWorker` closes such connections when told to stop. The
client here is a raw socket, so what is asserted is on the wire: the connection is kept alive
(two answers on one socket), the server closes it on SIGTERM, and the process is gone soon.
"""

from __future__ import annotations

import signal
import socket
import time
import urllib.request
from pathlib import Path

import pytest

from tests.hub.live_hubs import free_port, wait_until
from tests.live import child_env, vanban

pytestmark = [pytest.mark.integration]


def _answer(sock: socket.socket, port: int) -> bytes:
    """One GET of the login page on `sock`; its head (the body is read and dropped)."""
    sock.sendall(f"GET /dang-nhap/ HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode("ascii"))
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        assert chunk, f"connection closed before the answer's head: {data!r}"
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = next(int(line.split(b":", 1)[1]) for line in head.split(b"\r\n")
                  if line.lower().startswith(b"content-length:"))
    while len(body) < length:
        chunk = sock.recv(65536)
        assert chunk, "connection closed in the middle of the body"
        body += chunk
    return head


def test_a_kept_alive_idle_connection_does_not_hold_the_stop(transactional_db: None, tmp_path: Path) -> None:
    port = free_port()
    server = vanban("serve", "--bind", f"127.0.0.1:{port}", "--workers", "1", "--threads", "2",
                    env=child_env(), log=tmp_path / "serve.log")
    sock = None
    try:
        def answers() -> bool:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/dang-nhap/", timeout=2) as resp:  # loopback
                    return resp.status == 200
            except OSError:
                return False

        wait_until(answers, "vanban serve answers", timeout=60)
        # The stop must come while gunicorn still keeps the connection (2-s keep-alive): after a
        # longer stall of this machine gunicorn would close it itself and the test would show
        # nothing, so the connection is opened again until the stop can follow within 1 s.
        for _attempt in range(5):
            if sock is not None:
                sock.close()
            sock = socket.create_connection(("127.0.0.1", port), timeout=10)
            for _ in range(2):  # two answers on one socket: the connection is kept alive
                head = _answer(sock, port)
                assert head.startswith(b"HTTP/1.1 200"), head
                assert b"connection: close" not in head.lower()
            answered = time.monotonic()
            time.sleep(0.3)  # idle, well inside gunicorn's 2-s keep-alive
            if time.monotonic() - answered < 1.0:
                break
        else:
            pytest.fail("the machine stalled for over a second on every attempt: nothing was tested")
        started = time.monotonic()
        server.send_signal(signal.SIGTERM)
        assert sock.recv(1) == b""  # the worker closed the idle connection (10-s socket timeout)
        server.wait(timeout=25)
        took = time.monotonic() - started
        # Stock gthread: the whole grace period, 30 s. Here: about 1 s.
        assert took < 8, f"vanban serve took {took:.1f}s to stop\n{(tmp_path / 'serve.log').read_text()[-2000:]}"
        assert server.returncode == 0
    finally:
        if sock is not None:
            sock.close()
        if server.poll() is None:
            server.kill()
            server.wait(10)
