"""vanban.textract is a pure library: no Django, Ninja or Huey (ARCHITECTURE.md)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit
SRC = Path(__file__).resolve().parents[2] / "src" / "vanban"


def test_no_framework_import_in_source() -> None:
    offenders = []
    for path in sorted([*(SRC / "textract").rglob("*.py"), SRC / "core" / "legacy.py"]):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
                [node.module] if isinstance(node, ast.ImportFrom) and node.module else [])
            offenders += [f"{path.name}: {n}" for n in names if n.split(".")[0] in {"django", "ninja", "huey"}]
    assert offenders == []


def test_importing_does_not_load_django() -> None:
    code = ("import sys, vanban.textract, vanban.textract.cli, vanban.textract.header, vanban.core.legacy;"
            "print(any(m.split('.')[0] in {'django', 'ninja', 'huey'} for m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
