"""What a start-up imports: every CLI command, worker and server start pays for it (issue 23;
a start cost ~2.8-3.4 s on 2 CPUs, much of it pyHanko, django-ninja and the URL checks)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.live import child_env

pytestmark = [pytest.mark.integration]
HEAVY = ("pyhanko.sign", "pyhanko.sign.signers", "ninja", "httpx", "vanban.urls")


def _imports(importtime: str, module: str) -> bool:
    return re.search(rf"\| +{re.escape(module)}$", importtime, re.MULTILINE) is not None


def _imported_after(code: str, env: dict[str, str]) -> list[str]:
    probe = f"import json, sys\n{code}\nprint(json.dumps(sorted(m for m in {HEAVY!r} if m in sys.modules)))"
    done = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_a_hub_start_up_loads_no_signing_library_api_framework_or_http_client(tmp_path: Path) -> None:
    env = {**child_env(), "VANBAN_ROLES": "hub", "VANBAN_DATA_DIR": str(tmp_path),
           "DATABASE_URL": f"sqlite:///{tmp_path / 'hub.sqlite3'}", "DJANGO_SETTINGS_MODULE": "vanban.settings"}
    assert _imported_after("import django; django.setup()", env) == []


def test_the_timestamp_check_module_and_the_pki_names_load_on_first_use(tmp_path: Path) -> None:
    env = {**child_env(), "VANBAN_DATA_DIR": str(tmp_path)}
    # The audit anchor imports vanban.pki.tsp at every start-up: pyHanko waits for a timestamp check.
    assert _imported_after("import vanban.pki.tsp", env) == []
    assert _imported_after("import vanban.pki; vanban.pki.validate_pdf", env) == ["pyhanko.sign",
                                                                                 "pyhanko.sign.signers"]
    import vanban.pki

    assert sorted(vanban.pki.__all__) == sorted(vanban.pki._EXPORTS)  # every exported name can load
    done = subprocess.run([sys.executable, "-c", "import vanban.pki; vanban.pki.no_such_name"], env=env,
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 1 and "has no attribute 'no_such_name'" in done.stderr


@pytest.mark.django_db(transaction=True)
def test_a_data_command_skips_the_url_checks_and_still_refuses_bad_input(tmp_path: Path) -> None:
    # `serve`, `migrate` and `check` run Django's system checks; `agencies import` need not load
    # every view to import a CSV (PYTHONPROFILEIMPORTTIME lists each module imported, on stderr).
    path = tmp_path / "danhba.csv"
    path.write_text("code,name\n000.00.3.H16,Sở Tài chính\n", encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "vanban.cli", "agencies", "import", str(path)],
                          env={**child_env(), "PYTHONPROFILEIMPORTTIME": "1"}, capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 1
    assert "dòng 2: mã '000.00.3.H16' sai" in done.stderr
    assert not _imports(done.stderr, "vanban.agencies.views")  # loaded by the URL configuration only
    checked = subprocess.run([sys.executable, "-m", "vanban.cli", "check"],
                             env={**child_env(), "PYTHONPROFILEIMPORTTIME": "1"}, capture_output=True, text=True,
                             timeout=120, check=False)
    assert checked.returncode == 0, checked.stderr[-2000:]
    assert _imports(checked.stderr, "vanban.agencies.views")  # the checks themselves still load them
