"""VANBAN_ROLES splits what a process serves (issue 19): a hub-only process resolves no office
page or office API, an office-only one no hub; the navigation leaves out what is not served."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

PROBE = """
import json
import django
django.setup()
from django.urls import Resolver404, resolve
from vanban.portal.nav import nav_for
paths = ["/van-ban-di/", "/van-ban-den/", "/api/v1/openapi.json", "/bao-cao/", "/xac-thuc/", "/ho-so/",
         "/hub/", "/hub/api/v1/openapi.json", "/vxp/getEdoc", "/dang-nhap/", "/danh-ba/", "/don-vi/"]
served = []
for path in paths:
    try:
        resolve(path)
        served.append(path)
    except Resolver404:
        pass
print(json.dumps({"served": served, "nav": [i["name"] for i in nav_for(set(), superuser=True)]}))
"""


def _probe(roles: str, tmp_path: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "VANBAN_", "DATABASE_URL"))}
    env.update({"VANBAN_ROLES": roles, "VANBAN_DATA_DIR": str(tmp_path / roles.replace(",", "-")),
                "DJANGO_SETTINGS_MODULE": "vanban.settings"})
    done = subprocess.run([sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, timeout=120,
                          check=False)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize(("roles", "served", "absent"), [
    ("hub", {"/hub/", "/hub/api/v1/openapi.json", "/vxp/getEdoc", "/dang-nhap/", "/danh-ba/", "/don-vi/"},
     {"/van-ban-di/", "/van-ban-den/", "/api/v1/openapi.json", "/bao-cao/", "/xac-thuc/", "/ho-so/"}),
    ("office", {"/van-ban-di/", "/van-ban-den/", "/api/v1/openapi.json", "/bao-cao/", "/xac-thuc/", "/ho-so/",
                "/dang-nhap/"}, {"/hub/", "/hub/api/v1/openapi.json", "/vxp/getEdoc"}),
])
def test_roles_decide_what_is_served(roles: str, served: set[str], absent: set[str], tmp_path: Path) -> None:
    result = _probe(roles, tmp_path)
    assert served <= set(result["served"]) and not absent & set(result["served"])
    nav = set(result["nav"])
    if roles == "hub":
        assert {"hub:dashboard", "operations", "agency_directory"} <= nav and "drafts" not in nav
    else:
        assert {"drafts", "incoming_list"} <= nav and "hub:dashboard" not in nav


INSTALL = """
import json
import django
django.setup()
from django.core.management import call_command
call_command("migrate", "--no-input", "-v0")
from django.db import connection
from django.test import Client
from django.apps import apps
from django.utils.module_loading import autodiscover_modules
from huey.contrib.djhuey import HUEY
from vanban.accounts.models import User
autodiscover_modules("tasks")  # what `vanban worker` (Huey's run_huey) loads
tables = connection.introspection.table_names()
admin = User.objects.create_superuser("quantri", password="mat-khau-dai-du-10")
client = Client()
client.force_login(admin)
pages = {path: client.get(path).status_code for path in ["/", "/hub/", "/van-ban-den/", "/danh-ba/"]}
home = client.get("/")
print(json.dumps({"tables": sorted({t.split("_")[0] for t in tables}), "pages": pages,
                  "apps": sorted(a.label for a in apps.get_app_configs()),
                  "home": home.headers.get("Location", ""),
                  "jobs": sorted({name.split(".")[1] for name in HUEY._registry._registry})}))
"""


def _install(roles: str, tmp_path: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "VANBAN_", "DATABASE_URL"))}
    env.update({"VANBAN_ROLES": roles, "VANBAN_DATA_DIR": str(tmp_path / f"install-{roles}"),
                "DJANGO_SETTINGS_MODULE": "vanban.settings", "VANBAN_QUEUE_IMMEDIATE": "1"})
    done = subprocess.run([sys.executable, "-c", INSTALL], env=env, capture_output=True, text=True, timeout=300,
                          check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


OFFICE_APPS = {"documents", "outgoing", "incoming", "exchange", "workflow", "records", "search", "reports", "reorg"}


def test_a_hub_only_install_has_no_office_table_page_or_job(tmp_path: Path) -> None:
    """Migrated from nothing with VANBAN_ROLES=hub: the office's tables, pages and jobs do not exist,
    and the operator's home is the hub dashboard."""
    result = _install("hub", tmp_path)
    assert {"hub", "audit", "accounts", "agencies", "trust"} <= set(result["tables"])
    assert not OFFICE_APPS & (set(result["tables"]) | set(result["apps"])), result
    assert result["pages"] == {"/": 302, "/hub/": 200, "/van-ban-den/": 404, "/danh-ba/": 200}
    assert result["home"] == "/hub/"
    assert "hub" in result["jobs"] and not OFFICE_APPS & set(result["jobs"]), result["jobs"]


def test_an_office_only_install_has_no_hub_table(tmp_path: Path) -> None:
    result = _install("office", tmp_path)
    assert set(result["apps"]) >= OFFICE_APPS and {"documents", "exchange", "records"} <= set(result["tables"])
    assert "hub" not in result["apps"] and "hub" not in result["tables"]
    assert result["pages"]["/van-ban-den/"] != 404 and result["pages"]["/hub/"] == 404  # served (403: no agency)
    assert "exchange" in result["jobs"] and "hub" not in result["jobs"], result["jobs"]
