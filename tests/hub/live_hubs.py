"""Whole hubs as real processes: own database, own data dir, `vanban serve` and `vanban hub sync`.

On SQLite each hub gets a database file in its directory; on PostgreSQL a throwaway
database on the test server, dropped afterwards. Setup goes through the real commands
(`vanban migrate`, `vanban agencies import`, `vanban hub endpoint add`); `vanban migrate` runs
once per test process into a template that each hub's database is copied from.
"""

from __future__ import annotations

import atexit
import itertools
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from django.db import connection

from tests.live import database_url

_seq = itertools.count(1)
_templates: dict[str, LiveHub] = {}  # the migrated template of this process, once made


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_until(check, what: str, timeout: float = 60.0, on_wait=None, interval: float = 0.2):
    """Poll `check()` until it returns something truthy; fail naming `what` at the deadline.
    `on_wait` runs between polls (the fault tests restart what they killed there)."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        if on_wait:
            on_wait()
        time.sleep(interval)


class LiveHub:
    """One hub installation in `root`; `start()` serves it on `port` (default: a free one)."""

    def __init__(self, root: Path, code: str, *, port: int | None = None, parent_url: str = "",
                 parent_token: str = "") -> None:
        self.root = root
        self.code = code
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}/hub/api/v1"
        self.parent_url = parent_url
        self.parent_token = parent_token
        root.mkdir(parents=True, exist_ok=True)
        self._pg_admin: str | None = None
        self._pg_name = ""
        self.database_url = self._make_database()
        self.procs: list[subprocess.Popen[bytes]] = []

    def _make_database(self) -> str:
        if connection.vendor == "sqlite":
            return f"sqlite:///{self.root / 'hub.sqlite3'}"
        import psycopg

        self._pg_name = f"vanban_hubtest_{os.getpid()}_{next(_seq)}"
        server = urlsplit(database_url())
        self._pg_admin = urlunsplit(server._replace(scheme="postgresql", path="/postgres"))
        with psycopg.connect(self._pg_admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self._pg_name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{self._pg_name}"')
        return urlunsplit(server._replace(path=f"/{self._pg_name}"))

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "VANBAN_", "DATABASE_URL"))}
        env.update({
            "DATABASE_URL": self.database_url, "VANBAN_DATA_DIR": str(self.root / "data"),
            "VANBAN_ROLES": "hub", "VANBAN_QUEUE_IMMEDIATE": "1", "PYTHONUNBUFFERED": "1",
            "VANBAN_HUB_CODE": self.code, "VANBAN_HUB_RETRY_BASE_SECONDS": "1",
            "VANBAN_HUB_RETRY_MAX_SECONDS": "2", "VANBAN_HUB_HTTP_TIMEOUT": "10",
            "DJANGO_SETTINGS_MODULE": "vanban.settings",
        })
        if self.parent_url:
            env.update({"VANBAN_HUB_PARENT_URL": self.parent_url, "VANBAN_HUB_PARENT_TOKEN": self.parent_token})
        return env

    def run(self, *args: str, timeout: float = 180) -> str:
        """A `vanban` command against this hub; its output, or AssertionError with the output."""
        done = subprocess.run([sys.executable, "-m", "vanban.cli", *args], env=self.env(), capture_output=True,
                              timeout=timeout, check=False)
        out = done.stdout.decode() + done.stderr.decode()
        if done.returncode != 0:
            raise AssertionError(f"vanban {' '.join(args)} exited {done.returncode}:\n{out[-3000:]}")
        return out

    def setup(self, agencies: dict[str, str]) -> None:
        self._copy_migrated()
        csv = self.root / "agencies.csv"
        csv.write_text("code,name\n" + "".join(f"{c},{n}\n" for c, n in agencies.items()), encoding="utf-8")
        self.run("agencies", "import", str(csv))

    def _copy_migrated(self) -> None:
        """This hub's database as a copy of a template migrated once (by the real `vanban migrate`)."""
        template = _templates.get("hub")
        if template is None:
            template = LiveHub(Path(tempfile.mkdtemp(prefix="vanban-hubtemplate-")), "TEMPLATE")
            template.run("migrate", "--no-input", "-v0")
            atexit.register(template.destroy)
            _templates["hub"] = template
        if not self._pg_admin:
            shutil.copyfile(template.root / "hub.sqlite3", self.root / "hub.sqlite3")
            return
        import psycopg

        with psycopg.connect(self._pg_admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self._pg_name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{self._pg_name}" TEMPLATE "{template._pg_name}"')

    def add_endpoint(self, name: str, codes: list[str], *, kind: str = "agency", cert_pem: bytes | None = None) -> str:
        """`vanban hub endpoint add`; returns the token (the last line of output)."""
        args = ["hub", "endpoint", "add", name, "--kind", kind]
        for code in codes:
            args += ["--agency", code]
        if cert_pem:
            pem = self.root / f"{name}.pem"
            pem.write_bytes(cert_pem)
            args += ["--cert", str(pem)]
        return self.run(*args).strip().splitlines()[-1]

    def start(self, *, sync: bool = True) -> None:
        log = (self.root / "serve.log").open("ab")
        self.procs.append(subprocess.Popen(
            [sys.executable, "-m", "vanban.cli", "serve", "--bind", f"127.0.0.1:{self.port}", "--workers", "1",
             "--threads", "4"], env=self.env(), stdout=log, stderr=subprocess.STDOUT))
        wait_until(self._answers, f"hub {self.code} on port {self.port}\n{self.log()}")
        if sync and self.parent_url:
            sync_log = (self.root / "sync.log").open("ab")
            self.procs.append(subprocess.Popen([sys.executable, "-m", "vanban.cli", "hub", "sync", "--loop", "0.3"],
                                               env=self.env(), stdout=sync_log, stderr=subprocess.STDOUT))

    def _answers(self) -> bool:
        for proc in self.procs:
            if proc.poll() is not None:
                raise AssertionError(f"hub {self.code} exited {proc.returncode}:\n{self.log()}")
        try:
            with urllib.request.urlopen(f"{self.url}/openapi.json", timeout=2) as resp:
                return resp.status == 200
        except (urllib.error.URLError, OSError):
            return False

    def log(self) -> str:
        return "\n".join(p.read_text(errors="replace")[-3000:] for p in self.root.glob("*.log"))

    def stop(self) -> None:
        for proc in reversed(self.procs):
            proc.terminate()
        for proc in self.procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)
        self.procs.clear()

    def destroy(self) -> None:
        self.stop()
        if self.code == "TEMPLATE":
            shutil.rmtree(self.root, ignore_errors=True)
        if self._pg_admin:
            import psycopg

            with psycopg.connect(self._pg_admin, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{self._pg_name}" WITH (FORCE)')
