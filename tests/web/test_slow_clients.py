"""Slow clients against the nginx front (`vanban proxy`) and `vanban serve` behind it.

Fifty sockets trickle headers or bodies, the slowloris way, while a normal user loads the
login page through the same front: every normal request must still be answered. Real
processes: gunicorn from `vanban serve`, Debian's nginx from `vanban proxy`'s config.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import urllib.request
from pathlib import Path

import pytest

from tests.hub.live_hubs import free_port, wait_until
from tests.live import child_env, vanban
from vanban.web.nginx import ProxyConfig, write

pytestmark = [pytest.mark.integration]
NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)


def _get(url: str, timeout: float) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=timeout) as resp:  # loopback only
        return resp.status, resp.read().decode("utf-8")


@pytest.mark.skipif(NGINX is None, reason="nginx is not installed (apt-get install nginx-light; .ci/run does)")
def test_fifty_slow_clients_do_not_stop_normal_pages(transactional_db: None, tmp_path: Path) -> None:
    app_port, front_port = free_port(), free_port()
    server = vanban("serve", "--bind", f"127.0.0.1:{app_port}", "--workers", "1", "--threads", "2",
                    env=child_env(VANBAN_TRUSTED_PROXIES="127.0.0.1"), log=tmp_path / "serve.log")
    conf = write(ProxyConfig(listen=f"127.0.0.1:{front_port}", upstream=f"127.0.0.1:{app_port}",
                             header_timeout=30, body_timeout=30), tmp_path / "nginx")
    proxy = subprocess.Popen([NGINX, "-p", str(conf.parent), "-c", str(conf), "-e", str(conf.parent / "error.log"),
                              "-g", "daemon off;"], stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    slow: list[socket.socket] = []
    try:
        login = f"http://127.0.0.1:{front_port}/dang-nhap/"

        def answers() -> bool:
            try:
                return _get(login, 2)[0] == 200
            except OSError:
                return False

        wait_until(answers, "nginx and vanban serve answer", timeout=60)
        for i in range(50):
            s = socket.create_connection(("127.0.0.1", front_port), timeout=5)
            if i % 2:
                s.sendall(b"GET /dang-nhap/ HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")  # headers never end
            else:
                s.sendall(b"POST /dang-nhap/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                          b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100000\r\n\r\nu")
            slow.append(s)
        # Alone, gunicorn's two threads would be held by the first two of these; through nginx,
        # ten normal page loads in a row each answer at once.
        for _ in range(10):
            status, body = _get(login, 5)
            assert status == 200
            assert "Đăng nhập" in body
        for s in slow[:5]:
            s.sendall(b"1")  # still trickling: nginx holds them, gunicorn never sees them
        status, _ = _get(login, 5)
        assert status == 200
    finally:
        for s in slow:
            s.close()
        proxy.terminate()
        server.terminate()
        proxy.wait(10)
        server.wait(10)


def test_config_carries_the_timeouts_and_the_upstream(tmp_path: Path) -> None:
    conf = write(ProxyConfig(listen="0.0.0.0:443", upstream="127.0.0.1:9000", header_timeout=7,
                             body_timeout=9, max_body_mb=33), tmp_path / "p")
    text = conf.read_text(encoding="utf-8")
    assert "client_header_timeout 7s;" in text
    assert "client_body_timeout 9s;" in text
    assert "client_max_body_size 33m;" in text
    assert "server 127.0.0.1:9000 max_fails=2 fail_timeout=5s;" in text
    upstream = text.split("upstream vanban_app {", 1)[1].split("}", 1)[0]
    assert "keepalive_timeout 1s;" in upstream  # under gunicorn's 2-s keep-alive: no POST lost to a race
    assert "listen 0.0.0.0:443;" in text
    assert (tmp_path / "p" / "tmp" / "body").is_dir()
    page = tmp_path / "p" / "www" / "static" / "vanban" / "errors" / "request-too-large.html"
    assert "Yêu cầu quá dài" in page.read_text(encoding="utf-8")


def test_several_web_nodes_each_get_a_server_line(tmp_path: Path) -> None:
    conf = write(ProxyConfig(upstream="127.0.0.1:8101, 127.0.0.1:8102"), tmp_path / "p")
    text = conf.read_text(encoding="utf-8")
    assert text.count("max_fails=2 fail_timeout=5s;") == 2
    assert "server 127.0.0.1:8101 " in text and "server 127.0.0.1:8102 " in text
    with pytest.raises(ValueError):
        write(ProxyConfig(upstream=" , "), tmp_path / "q")


def test_upload_spill_files_left_by_killed_requests_are_swept(settings, tmp_path: Path) -> None:
    import os

    from vanban.web.tasks import STALE_SECONDS, sweep_upload_temp
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    old, fresh, other = tmp_path / "a.upload.pdf", tmp_path / "b.upload.pdf", tmp_path / "keep.txt"
    for f in (old, fresh, other):
        f.write_bytes(b"x")
    now = 1_800_000_000.0
    os.utime(old, (now - STALE_SECONDS - 5, now - STALE_SECONDS - 5))
    os.utime(fresh, (now - 60, now - 60))
    os.utime(other, (now - STALE_SECONDS - 5, now - STALE_SECONDS - 5))
    assert sweep_upload_temp(now=now) == 1
    assert not old.exists()
    assert fresh.exists()
    assert other.exists()
