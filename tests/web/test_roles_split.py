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
from vanban.web.nav import nav_for
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
