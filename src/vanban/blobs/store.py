from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Protocol

from django.conf import settings

_HEX = frozenset("0123456789abcdef")


class BlobMissingError(FileNotFoundError):
    code = "BLOB_MISSING"


class BlobCorruptError(OSError):
    """The bytes on disk no longer match their name: a fixity failure."""

    code = "BLOB_CORRUPT"

    def __init__(self, sha256: str, actual: str) -> None:
        super().__init__(f"Tệp lưu trữ {sha256} bị thay đổi (băm thực tế {actual}).")
        self.sha256 = sha256
        self.actual = actual


class BlobStore(Protocol):
    def put(self, data: bytes) -> str: ...
    def get(self, sha256: str) -> bytes: ...
    def exists(self, sha256: str) -> bool: ...
    def verify(self, sha256: str) -> bool: ...
    def iter_hashes(self) -> Iterator[str]: ...
    def destroy(self, sha256: str) -> bool: ...


def _check_name(sha256: str) -> str:
    if len(sha256) != 64 or not set(sha256) <= _HEX:
        raise ValueError(f"không phải mã băm sha256: {sha256!r}")
    return sha256


def _fsync_dir(directory: Path) -> None:
    """Make a rename or an unlink in `directory` durable."""
    dir_fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


class LocalBlobStore:
    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def path(self, sha256: str) -> Path:
        _check_name(sha256)
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def put(self, data: bytes) -> str:
        digest = hashlib.sha256(data).hexdigest()
        target = self.path(digest)
        if target.exists() and target.stat().st_size == len(data):
            return digest  # same name, same bytes: content addressing makes this a no-op
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.chmod(tmp, 0o440)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        _fsync_dir(target.parent)
        return digest

    def get(self, sha256: str) -> bytes:
        try:
            data = self.path(sha256).read_bytes()
        except FileNotFoundError:
            raise BlobMissingError(f"Không tìm thấy tệp lưu trữ {sha256}.") from None
        actual = hashlib.sha256(data).hexdigest()
        if actual != sha256:
            raise BlobCorruptError(sha256, actual)
        return data

    def exists(self, sha256: str) -> bool:
        return self.path(sha256).is_file()

    def verify(self, sha256: str) -> bool:
        """Re-hash without keeping the bytes in memory (fixity checks of large files)."""
        h = hashlib.sha256()
        try:
            with self.path(sha256).open("rb") as fh:
                for chunk in iter(lambda: fh.read(1024 * 1024), b""):
                    h.update(chunk)
        except FileNotFoundError:
            return False
        return h.hexdigest() == sha256

    def destroy(self, sha256: str) -> bool:
        """Remove a blob for good: only a recorded destruction decision calls this (records.destruction).
        True when bytes were removed, False when they were already gone."""
        path = self.path(sha256)
        try:
            path.unlink()
        except FileNotFoundError:
            return False
        _fsync_dir(path.parent)
        return True

    def iter_hashes(self) -> Iterator[str]:
        for path in sorted(self.root.glob("??/??/*")):
            if path.is_file() and not path.name.startswith(".tmp-"):
                yield path.name


@cache
def _store_for(root: str) -> LocalBlobStore:
    return LocalBlobStore(Path(root))


@cache
def _s3_store_for(url: str, endpoint: str, region: str, sub: str) -> BlobStore:
    from vanban.blobs.s3 import S3BlobStore, make_client, parse_blob_url  # noqa: PLC0415 - blobs.s3 imports this module; only VANBAN_BLOB_URL=s3:// needs it

    bucket, prefix = parse_blob_url(url)
    return S3BlobStore(make_client(endpoint, region), bucket, prefix + sub)


def s3_store(sub: str = "") -> BlobStore | None:
    """The S3 store when `VANBAN_BLOB_URL=s3://bucket/prefix` (`sub`: a key prefix inside it,
    e.g. the hub's own "hub/"), else None."""
    url = getattr(settings, "VANBAN_BLOB_URL", "")
    if not url:
        return None
    return _s3_store_for(url, getattr(settings, "VANBAN_S3_ENDPOINT_URL", ""),
                         getattr(settings, "VANBAN_S3_REGION", ""), sub)


def get_store() -> BlobStore:
    """The installation's store: S3-compatible object storage when `VANBAN_BLOB_URL` is set,
    else the local directory `$VANBAN_DATA_DIR/blobs`."""
    return s3_store() or _store_for(str(Path(settings.DATA_DIR) / "blobs"))
