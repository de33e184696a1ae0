from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vanban.blobs import BlobCorruptError, BlobMissingError, LocalBlobStore

pytestmark = pytest.mark.unit


def test_put_get_round_trip_and_layout(tmp_path: Path) -> None:
    store = LocalBlobStore(tmp_path)
    data = "Quyết định số 12/QĐ-UBND".encode()
    digest = store.put(data)
    assert digest == hashlib.sha256(data).hexdigest()
    assert (tmp_path / digest[:2] / digest[2:4] / digest).read_bytes() == data
    assert store.get(digest) == data
    assert store.exists(digest) and store.verify(digest)
    assert store.put(data) == digest  # idempotent
    assert list(store.iter_hashes()) == [digest]
    assert not list(tmp_path.rglob(".tmp-*"))


def test_changed_bytes_on_disk_are_detected(tmp_path: Path) -> None:
    store = LocalBlobStore(tmp_path)
    digest = store.put(b"original")
    path = store.path(digest)
    os.chmod(path, 0o640)
    path.write_bytes(b"tampered")
    with pytest.raises(BlobCorruptError) as info:
        store.get(digest)
    assert info.value.sha256 == digest
    assert not store.verify(digest)


def test_missing_and_bad_names(tmp_path: Path) -> None:
    store = LocalBlobStore(tmp_path)
    with pytest.raises(BlobMissingError):
        store.get("0" * 64)
    assert not store.verify("0" * 64)
    with pytest.raises(ValueError):
        store.get("../../etc/passwd")


@settings(max_examples=50)
@given(st.binary(max_size=5000))
def test_any_bytes_round_trip(tmp_path_factory: pytest.TempPathFactory, data: bytes) -> None:
    store = LocalBlobStore(tmp_path_factory.mktemp("blobs"))
    assert store.get(store.put(data)) == data


def test_destroy_removes_the_bytes_once(tmp_path: Path) -> None:
    store = LocalBlobStore(tmp_path)
    keep, gone = store.put(b"giu lai"), store.put(b"huy theo quyet dinh")
    assert store.destroy(gone) is True
    assert not store.exists(gone) and not store.path(gone).exists()
    with pytest.raises(BlobMissingError):
        store.get(gone)
    assert store.destroy(gone) is False  # repeating a purge is harmless
    assert list(store.iter_hashes()) == [keep] and store.get(keep) == b"giu lai"
    with pytest.raises(ValueError):
        store.destroy("../../etc/passwd")
