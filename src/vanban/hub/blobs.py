"""Original package bytes, content-addressed under `VANBAN_DATA_DIR/hub/blobs/ab/cd/<sha256>`, or in
object storage under `hub/ab/cd/<sha256>` when `VANBAN_BLOB_URL` is set (several hub nodes).

A received body is streamed to a temp file (hashing as it goes, refusing past the limit),
fsynced, and renamed into place before any database row points at it. A blob is written
once and never changed; a blob without a row (a crash between the two) is harmless.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import mmap
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from django.conf import settings

from vanban.blobs.store import BlobCorruptError as StoreCorrupt
from vanban.blobs.store import s3_store

CHUNK = 1024 * 1024


class TooLargeError(Exception):
    def __init__(self, limit: int) -> None:
        super().__init__(limit)
        self.limit = limit


class BlobCorruptError(Exception):
    """A stored blob no longer hashes to its name (disk fault or tampering)."""


def root() -> Path:
    return Path(settings.DATA_DIR) / "hub" / "blobs"


def path_for(sha256: str) -> Path:
    return root() / sha256[:2] / sha256[2:4] / sha256


@dataclass
class Received:
    """A body on disk in a temp file, not yet a blob."""

    path: Path
    sha256: str
    size: int

    def map(self) -> mmap.mmap | bytes:
        """The bytes for parsing without holding a second copy in memory."""
        if self.size == 0:
            return b""
        with self.path.open("rb") as fh:
            return mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)

    def discard(self) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()


class Readable(Protocol):
    """What `receive` reads from: a file, a request body (HttpRequest.read), an upload."""

    def read(self, n: int, /) -> bytes: ...


def receive(stream: Readable, limit: int) -> Received:
    """Copy a stream to a temp file beside the blobs; TooLargeError past `limit` bytes."""
    tmp_dir = root() / "tmp"
    tmp_dir.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=tmp_dir, prefix="in-")
    digest = hashlib.sha256()
    size = 0
    try:
        with os.fdopen(fd, "wb") as out:
            while chunk := stream.read(CHUNK):
                size += len(chunk)
                if size > limit:
                    raise TooLargeError(limit)
                digest.update(chunk)
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(name)
        raise
    return Received(Path(name), digest.hexdigest(), size)


def receive_bytes(data: bytes) -> Received:
    return receive(io.BytesIO(data), len(data))


def _object_store() -> Any:
    """The hub's blobs in object storage (key prefix "hub/") when VANBAN_BLOB_URL is set."""
    return s3_store("hub/")


def commit(received: Received) -> Path | None:
    """Move the temp file to its content address (atomic rename, directory fsynced), or upload
    it to object storage (then the temp file goes)."""
    if (store := _object_store()) is not None:
        store.put_file(received.path, received.sha256, received.size)
        received.discard()
        return None
    target = path_for(received.sha256)
    if target.exists():
        received.discard()
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    os.chmod(received.path, 0o444)
    os.replace(received.path, target)
    _fsync_dir(target.parent)
    return target


def read(sha256: str) -> bytes:
    """The exact bytes; BlobCorruptError if they no longer match their hash."""
    if (store := _object_store()) is not None:
        try:
            data: bytes = store.get(sha256)
        except StoreCorrupt as exc:
            raise BlobCorruptError(sha256) from exc
        return data
    data = path_for(sha256).read_bytes()
    if hashlib.sha256(data).hexdigest() != sha256:
        raise BlobCorruptError(sha256)
    return data


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
