"""The S3 blob store against a real S3 HTTP API on loopback (moto server): the same contract as
the local store — content addressing, write once, re-hash on read, missing and tampered
objects refused — and `get_store()` choosing it from VANBAN_BLOB_URL."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.s3server import BUCKET, s3_server
from vanban.blobs import BlobCorruptError, BlobMissingError, BlobTooLargeError
from vanban.blobs.s3 import S3BlobStore, make_client, parse_blob_url

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    with s3_server() as url:
        yield url


@pytest.fixture
def store(endpoint: str, request: pytest.FixtureRequest) -> S3BlobStore:
    return S3BlobStore(make_client(endpoint), BUCKET, f"t/{request.node.name}/")


def test_round_trip_layout_and_write_once(store: S3BlobStore) -> None:
    data = "Quyết định số 12/QĐ-UBND".encode()
    digest = store.put(data)
    assert digest == hashlib.sha256(data).hexdigest()
    obj = store.client.get_object(Bucket=BUCKET, Key=f"{store.prefix}{digest[:2]}/{digest[2:4]}/{digest}")
    assert obj["Body"].read() == data
    assert store.get(digest) == data and store.exists(digest) and store.verify(digest)
    assert store.put(data) == digest
    assert list(store.iter_hashes()) == [digest]


def test_tampered_and_missing_objects(store: S3BlobStore) -> None:
    digest = store.put(b"original")
    store.client.put_object(Bucket=BUCKET, Key=store.key(digest), Body=b"tampered")  # someone with bucket access
    with pytest.raises(BlobCorruptError):
        store.get(digest)
    assert not store.verify(digest)
    absent = "0" * 64
    with pytest.raises(BlobMissingError):
        store.get(absent)
    assert not store.exists(absent) and not store.verify(absent)
    with pytest.raises(ValueError):
        store.get("../etc/passwd")


def test_destroy_removes_the_object_once(store: S3BlobStore) -> None:
    keep, gone = store.put(b"giu lai"), store.put(b"huy theo quyet dinh")
    assert store.destroy(gone) is True
    assert not store.exists(gone) and list(store.iter_hashes()) == [keep]
    with pytest.raises(BlobMissingError):
        store.get(gone)
    assert store.destroy(gone) is False


def test_large_stream_spooled_then_uploaded_in_parts(store: S3BlobStore, tmp_path: Path) -> None:
    data = bytes(range(256)) * (40 * 1024 * 1024 // 256)  # 40 MB: above boto3's multipart threshold
    (tmp_path / "big").write_bytes(data)
    store.spool_dir = tmp_path / "spool"
    with (tmp_path / "big").open("rb") as fh:
        received = store.receive(fh, limit=len(data))
    assert received.path.parent == tmp_path / "spool" and not store.exists(received.sha256)
    assert store.commit(received) == hashlib.sha256(data).hexdigest() == received.sha256
    assert store.verify(received.sha256) and list((tmp_path / "spool").iterdir()) == []
    with (tmp_path / "big").open("rb") as fh:  # again: already there, not uploaded twice
        assert store.put_stream(fh, limit=len(data)) == (received.sha256, len(data))
    with pytest.raises(BlobTooLargeError), (tmp_path / "big").open("rb") as fh:
        store.put_stream(fh, limit=len(data) - 1)
    assert list((tmp_path / "spool").iterdir()) == [] and list(store.iter_hashes()) == [received.sha256]


def test_a_body_held_in_memory_is_uploaded_by_commit(store: S3BlobStore, tmp_path: Path) -> None:
    store.spool_dir = tmp_path / "spool"
    data = "Gói tin nhỏ của trục".encode() * 100
    received = store.receive(io.BytesIO(data), limit=len(data), in_memory=len(data))
    assert received.path is None and not (tmp_path / "spool").exists()
    assert not store.exists(received.sha256)
    assert store.commit(received) == hashlib.sha256(data).hexdigest() and store.get(received.sha256) == data


def test_get_store_follows_the_setting(endpoint: str, settings: object, tmp_path: Path) -> None:
    from vanban.blobs import get_store

    settings.DATA_DIR = tmp_path  # type: ignore[attr-defined]
    settings.VANBAN_BLOB_URL = f"s3://{BUCKET}/cau-hinh"  # type: ignore[attr-defined]
    settings.VANBAN_S3_ENDPOINT_URL = endpoint  # type: ignore[attr-defined]
    store = get_store()
    assert isinstance(store, S3BlobStore) and store.prefix == "cau-hinh/"
    assert store.spool_dir == tmp_path / "blobs" / "tmp"
    digest = store.put(b"qua cau hinh")
    assert store.get(digest) == b"qua cau hinh"
    # The hub's namespace: keys under hub/, spooled in its own local directory, never listed
    # with the office's blobs (nor the office's with its).
    hub = get_store("hub")
    assert isinstance(hub, S3BlobStore) and hub.prefix == "cau-hinh/hub/"
    assert hub.spool_dir == tmp_path / "hub" / "blobs" / "tmp"
    hub_digest = hub.put_stream(io.BytesIO(b"goi tin truc"), 100)[0]
    assert store.client.head_object(Bucket=BUCKET, Key=f"cau-hinh/hub/{hub_digest[:2]}/{hub_digest[2:4]}/{hub_digest}")
    assert list(store.iter_hashes()) == [digest] and list(hub.iter_hashes()) == [hub_digest]
    assert not store.exists(hub_digest) and not hub.exists(digest)
    assert parse_blob_url("s3://b") == ("b", "")
    with pytest.raises(ValueError):
        parse_blob_url("/var/lib/vanban")
