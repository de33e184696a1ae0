"""The `vanban` console script as an operator runs it: real processes, real exit codes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from tests.audit.insider import triggers_dropped
from tests.live import child_env
from vanban.agencies.models import Agency
from vanban.audit.services import record_event

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]
VANBAN = [sys.executable, "-m", "vanban.cli"]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*VANBAN, *args], env=child_env(), capture_output=True, text=True,
                          timeout=120, check=False)


def test_import_with_one_bad_code_imports_nothing_and_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "danhba.csv"
    path.write_text("code,name\n000.00.00.H16,Tỉnh Đắk Lắk\n000.00.02.H16,Sở Nội vụ\n"
                    "000.00.3.H16,Sở Tài chính\n", encoding="utf-8")
    result = run("agencies", "import", str(path))
    assert result.returncode == 1
    assert "dòng 4: mã '000.00.3.H16' sai" in result.stderr
    assert "Không nhập gì" in result.stderr
    assert Agency.objects.count() == 0
    path.write_text(path.read_text(encoding="utf-8").replace("000.00.3.H16", "000.00.03.H16"),
                    encoding="utf-8")
    result = run("agencies", "import", str(path))
    assert result.returncode == 0, result.stderr
    assert "3 cơ quan mới" in result.stdout
    assert Agency.objects.count() == 3


def test_audit_verify_detects_an_edited_event() -> None:
    first = record_event("test.one", details={"a": 1})
    record_event("test.two")
    ok = run("audit", "verify")
    assert ok.returncode == 0, ok.stderr
    with triggers_dropped(), connection.cursor() as cur:
        cur.execute("UPDATE audit_auditevent SET actor_name = %s WHERE id = %s", ["mallory", first.id])
    bad = run("audit", "verify")
    assert bad.returncode == 1
    assert f"sự kiện #{first.id}" in bad.stderr


def test_django_commands_pass_through() -> None:
    result = run("check")
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout
    result = run("help")
    assert "agencies" in result.stdout and "audit" in result.stdout and "worker" in result.stdout
