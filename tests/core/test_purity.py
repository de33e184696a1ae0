"""Pure libraries never import Django (ARCHITECTURE.md)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit
SRC = Path(__file__).resolve().parents[2] / "src" / "vanban"
PURE = ["core", "edxml", "pki", "textract", "vxp"]


@pytest.mark.parametrize("package", PURE)
def test_no_django_import_in_source(package: str) -> None:
    offenders = []
    for path in sorted((SRC / package).rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [f"{path.name}: {n}" for n in names
                          if n.split(".")[0] in {"django", "ninja", "huey"}]
    assert offenders == []


def test_hubclient_is_pure() -> None:
    tree = ast.parse((SRC / "hubclient.py").read_text(encoding="utf-8"))
    modules = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
    modules |= {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    assert not {m for m in modules if m.split(".")[0] in {"django", "ninja", "huey"}}


def test_hub_never_imports_office_apps() -> None:
    office = {"documents", "exchange", "records", "workflow", "search", "reports"}
    offenders = []
    for path in sorted((SRC / "hub").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
                [node.module] if isinstance(node, ast.ImportFrom) and node.module else [])
            offenders += [f"{path.name}: {n}" for n in names
                          if n.startswith("vanban.") and n.split(".")[1] in office]
    assert offenders == []


def test_importing_core_loads_no_django() -> None:
    code = ("import sys, vanban.core.agency_code, vanban.core.identifier, vanban.core.clock, "
            "vanban.core.text; print(any(m.split('.')[0] == 'django' for m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
