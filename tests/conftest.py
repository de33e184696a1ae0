from __future__ import annotations

import pytest

from tests.factories import make_agency

pytest_plugins = ["tests.office_fixtures"]


@pytest.fixture(autouse=True, scope="session")
def _jobs_inline() -> None:
    """Jobs run inline in the test process (worker tests start real `vanban worker` processes)."""
    from vanban.jobs import queue

    queue().immediate = True


@pytest.fixture(autouse=True)
def _fast_hashing(request: pytest.FixtureRequest, settings) -> None:
    """argon2 at production cost makes every test login slow; tests check logic, not cost.

    Tests that exercise the real hasher mark themselves `real_hasher`.
    """
    if "real_hasher" in request.keywords:
        return
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def province(db: None):
    return make_agency()


@pytest.fixture
def office(db: None):
    return make_agency("000.00.01.H16", "Văn phòng Ủy ban nhân dân tỉnh", abbreviation="VP")


@pytest.fixture
def other_office(db: None):
    return make_agency("000.00.02.H16", "Sở Nội vụ", abbreviation="SNV")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Browser tests last: Playwright's sync API leaves an event loop in the main thread,
    which would break later tests that call asyncio.run (pyHanko validation)."""
    items.sort(key=lambda item: "/e2e/" in str(item.fspath))
