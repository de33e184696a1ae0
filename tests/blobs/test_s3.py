"""The S3 blob store against a real S3 HTTP API on loopback (moto server): the same contract as
the local store — content addressing, write once, re-hash on read, missing and tampered
objects refused — and `get_store()` choosing it from VANBAN_BLOB_URL."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.s3server import BUCKET, s3_server
from vanban.blobs import BlobCorruptError, BlobMissingError
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


def test_large_file_uploads_in_parts(store: S3BlobStore, tmp_path: Path) -> None:
    data = bytes(range(256)) * (40 * 1024 * 1024 // 256)  # 40 MB: above boto3's multipart threshold
    (tmp_path / "big").write_bytes(data)
    digest = hashlib.sha256(data).hexdigest()
    store.put_file(tmp_path / "big", digest, len(data))
    assert store.verify(digest)


def test_get_store_follows_the_setting(endpoint: str, settings: object) -> None:
    from vanban.blobs import get_store

    settings.VANBAN_BLOB_URL = f"s3://{BUCKET}/cau-hinh"  # type: ignore[attr-defined]
    settings.VANBAN_S3_ENDPOINT_URL = endpoint  # type: ignore[attr-defined]
    store = get_store()
    assert isinstance(store, S3BlobStore) and store.prefix == "cau-hinh/"
    digest = store.put(b"qua cau hinh")
    assert store.get(digest) == b"qua cau hinh"
    assert parse_blob_url("s3://b") == ("b", "")
    with pytest.raises(ValueError):
        parse_blob_url("/var/lib/vanban")
