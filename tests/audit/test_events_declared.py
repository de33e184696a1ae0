"""Every audit action is declared once, in its app's events.py, and has Vietnamese words for
people (vanban.audit.labels): record_event is never called with a string written in place."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

from vanban.audit.labels import ACTIONS

pytestmark = pytest.mark.unit

SRC = Path(__file__).resolve().parents[2] / "src" / "vanban"
EVENT_MODULES = sorted(p.parent.name for p in SRC.glob("*/events.py"))


def _declared() -> dict[str, str]:
    names: dict[str, str] = {}
    for app in EVENT_MODULES:
        module = importlib.import_module(f"vanban.{app}.events")
        for const, value in vars(module).items():
            if const.isupper() and isinstance(value, str):
                assert value.startswith(f"{app}."), f"{app}.events.{const} = {value!r}: not this app's name"
                assert value not in names, f"{value} declared twice"
                names[value] = f"{app}.events.{const}"
    return names


def test_every_app_that_records_declares_its_events() -> None:
    recording = {"accounts", "agencies", "documents", "exchange", "hub", "records", "trust", "workflow"}
    assert recording <= set(EVENT_MODULES)


def test_events_are_never_made_with_a_written_string() -> None:
    written = []
    for path in SRC.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            called = getattr(node, "func", None)
            name = getattr(called, "id", getattr(called, "attr", None))
            if (isinstance(node, ast.Call) and name in ("record_event", "new_event")
                    and node.args and isinstance(node.args[0], ast.Constant)):
                written.append(f"{path.relative_to(SRC)}:{node.lineno} {node.args[0].value}")
    assert written == []


def test_every_declared_action_has_words_for_people() -> None:
    missing = sorted(name for name in _declared() if name not in ACTIONS)
    assert missing == []
