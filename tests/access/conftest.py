from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.access.world import World, build_world
from tests.office_fixtures import Office


@pytest.fixture(autouse=True)
def _own_data_dir(settings: Any, tmp_path: Path) -> None:
    """Before the signing office stores its keys: each test's blobs stay its own."""
    settings.DATA_DIR = tmp_path / "data"
    settings.DATA_DIR.mkdir()


@pytest.fixture
def world(signing_office: Office, monkeypatch: pytest.MonkeyPatch) -> World:
    monkeypatch.delenv("VANBAN_HUB_PARENT_URL", raising=False)
    return build_world(signing_office)
