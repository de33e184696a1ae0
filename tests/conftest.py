from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from tests.factories import make_agency

pytest_plugins = ["tests.office_fixtures"]

# The suite shares two CPUs with live servers and workers; Hypothesis's timing checks (the
# "input generation is slow" health check, the per-example deadline) then measure the machine's
# load, not the code — seen failing `test_parse_format_round_trip` on a loaded machine. They are
# off for every property; what is generated and how many examples run are unchanged.
hypothesis_settings.register_profile("vanban", suppress_health_check=[HealthCheck.too_slow], deadline=None)
hypothesis_settings.load_profile("vanban")


@pytest.fixture(autouse=True, scope="session")
def _jobs_inline() -> None:
    """Jobs run inline in the test process (worker tests start real `vanban worker` processes)."""
    from vanban.jobs import queue

    queue().immediate = True


@pytest.fixture
def real_queue() -> Iterator[Any]:
    """The configured queue (this test's SQLite queue file), not jobs run inline."""
    from vanban.jobs import queue

    huey = queue()
    huey.immediate = False
    huey.flush()
    try:
        yield huey
    finally:
        huey.flush()
        huey.immediate = True


@pytest.fixture(scope="session")
def django_db_setup(request: pytest.FixtureRequest, django_test_environment: None, django_db_blocker: Any,
                    django_db_modify_db_settings: None, django_db_use_migrations: bool,
                    django_db_keepdb: bool, django_db_createdb: bool) -> Iterator[None]:
    """pytest-django's, with the database copied from a migrated template (tests/migrated.py);
    with --reuse-db or --nomigrations, pytest-django's own way."""
    from django.test.utils import setup_databases, teardown_databases
    from pytest_django.fixtures import _disable_migrations, _get_databases_for_setup

    from tests.migrated import setup_test_databases

    verbosity = request.config.option.verbose
    aliases, serialized = _get_databases_for_setup(request.session.items)
    keep = django_db_keepdb and not django_db_createdb
    with django_db_blocker.unblock():
        if keep or not django_db_use_migrations:
            if not django_db_use_migrations:
                _disable_migrations()
            config = setup_databases(verbosity=verbosity, interactive=False, aliases=aliases,  # type: ignore[arg-type]
                                     serialized_aliases=serialized, keepdb=keep)
        else:
            config = setup_test_databases(verbosity, serialized)
    yield
    if django_db_keepdb:
        return
    with django_db_blocker.unblock():
        try:
            teardown_databases(config, verbosity=verbosity)
        except Exception as exc:  # as pytest-django: a database left behind is a warning, not a failure
            request.node.warn(pytest.PytestWarning(f"Error when trying to teardown test databases: {exc!r}"))


@pytest.fixture(autouse=True)
def _no_kept_alive_connections() -> Iterator[None]:
    """Each test closes the connections it kept alive (`vanban.core.http`, keep-alive by
    default). Else the live server's thread serving the last one waits for its next request,
    holding a database session, and the test database cannot be dropped at the end (seen in CI:
    leftover `test_…_gw0` databases on PostgreSQL)."""
    yield
    from vanban.core.http import close_pool

    close_pool()


@pytest.fixture(autouse=True)
def _fresh_process_caches() -> Iterator[None]:
    """The hub keeps endpoints, served agencies and certificates a few seconds per process; a
    test's rolled-back rows send no signal, and the next test may reuse the same ids and codes."""
    from django.conf import settings

    if "vanban.hub" in settings.INSTALLED_APPS:
        from vanban.hub import registry_cache, tokens

        registry_cache.forget()
        tokens.forget_cached_endpoints()
    from vanban.jobs import stopping

    stopping.reset()  # a test that ran `vanban worker` in process asked its rounds to stop
    yield
    stopping.reset()


@pytest.fixture(autouse=True)
def _fast_hashing(request: pytest.FixtureRequest, settings) -> None:
    """argon2 at production cost makes every test login slow; tests check logic, not cost.

    Tests that exercise the real hasher mark themselves `real_hasher`.
    """
    if "real_hasher" in request.keywords:
        return
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _server_personal_keys(settings) -> None:
    """Tests sign as the demo does, with the leader's key on the server; the tests of the
    production default (tests/documents/test_device_signing.py) switch it off."""
    settings.VANBAN_SERVER_PERSONAL_KEYS = True


@pytest.fixture(scope="session")
def _s3_endpoint() -> Iterator[str | None]:
    """With VANBAN_TEST_BLOB_URL=s3 (CI's object-storage pass) an S3 server on loopback."""
    if os.environ.get("VANBAN_TEST_BLOB_URL") != "s3":
        yield None
        return
    from tests.s3server import s3_server

    with s3_server() as endpoint:
        yield endpoint


@pytest.fixture(autouse=True)
def _blobs_in_s3(_s3_endpoint: str | None, settings, request: pytest.FixtureRequest) -> None:
    """Every test's blobs (office and hub) in its own prefix of the test bucket."""
    if _s3_endpoint is None:
        return
    from tests.s3server import BUCKET

    settings.VANBAN_BLOB_URL = f"s3://{BUCKET}/{uuid.uuid4().hex}"
    settings.VANBAN_S3_ENDPOINT_URL = _s3_endpoint


_DB_FIXTURES = {"db", "transactional_db", "live_server", "django_db_reset_sequences", "django_db_serialized_rollback"}


def _uses_database(item: pytest.Item) -> bool:
    return bool(item.get_closest_marker("django_db") or _DB_FIXTURES & set(getattr(item, "fixturenames", ())))


@pytest.fixture(autouse=True)
def _document_types(request: pytest.FixtureRequest) -> None:
    """The document types are seeded by a migration, and every transactional test flushes them.
    Run in parallel processes, any test may follow such a test, so a database test finds them
    again here (one query when they are there)."""
    if not _uses_database(request.node):
        return
    request.getfixturevalue("_django_db_helper")
    from vanban.documents.models import DocumentType
    from vanban.documents.types import seed_document_types

    if not DocumentType.objects.exists():
        seed_document_types(DocumentType)


@pytest.fixture
def province(db: None):
    return make_agency()


@pytest.fixture
def office(db: None):
    return make_agency("000.00.01.H16", "Văn phòng Ủy ban nhân dân tỉnh", abbreviation="VP")


@pytest.fixture
def other_office(db: None):
    return make_agency("000.00.02.H16", "Sở Nội vụ", abbreviation="SNV")


# Files that take minutes (process kills, many nodes, federations of live hubs): handed out
# first, so that in two processes (pytest-xdist, whole files) the longest one starts at once
# instead of ending the pass alone while the other process has nothing left to do.
_LONGEST_FIRST = ("tests/faults/test_kill_hub_and_worker.py", "tests/faults/test_cluster.py",
                  "tests/hub/test_vxp_federation.py", "tests/hub/test_federation.py",
                  "tests/faults/test_parent_hub_outage.py", "tests/records/test_eark.py")


def _is_browser_test(item: pytest.Item) -> bool:
    return "/e2e/" in str(item.fspath)


def _order(item: pytest.Item) -> tuple[bool, int]:
    path = str(item.fspath)
    longest = next((i for i, name in enumerate(_LONGEST_FIRST) if path.endswith(name)), len(_LONGEST_FIRST))
    return _is_browser_test(item), longest


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Browser tests last: Playwright's sync API leaves an event loop in the main thread,
    which would break later tests that call asyncio.run (pyHanko validation). The longest
    files first (`_LONGEST_FIRST`); otherwise the collection order.

    With VANBAN_TEST_DATABASE_ONLY=1 (make test's PostgreSQL pass) the tests that touch no
    database are left out: they ran in the SQLite pass and a second run would test the same
    code on the same input (785 of 1 376 tests, about 80 s of CI); so are the browser tests
    (20 tests, about 95 s): they drive the same views the other tests call on PostgreSQL,
    and what they add — the page as a browser runs it — does not depend on the database."""
    if os.environ.get("VANBAN_TEST_DATABASE_ONLY") == "1":
        skipped = [item for item in items if not _uses_database(item) or _is_browser_test(item)]
        if skipped:
            config.hook.pytest_deselected(items=skipped)
            items[:] = [item for item in items if _uses_database(item) and not _is_browser_test(item)]
    items.sort(key=_order)
