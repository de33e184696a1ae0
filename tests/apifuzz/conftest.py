from tests.access.conftest import _own_data_dir, world  # noqa: F401 — the same world as the access tests
