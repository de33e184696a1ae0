from __future__ import annotations

import contextlib
import hashlib
import io
import mmap
import os
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Protocol

from django.conf import settings

_HEX = frozenset("0123456789abcdef")
CHUNK = 1024 * 1024


class BlobMissingError(FileNotFoundError):
    code = "BLOB_MISSING"


class BlobCorruptError(OSError):
    """The bytes on disk no longer match their name: a fixity failure."""

    code = "BLOB_CORRUPT"

    def __init__(self, sha256: str, actual: str) -> None:
        super().__init__(f"Tệp lưu trữ {sha256} bị thay đổi (băm thực tế {actual}).")
        self.sha256 = sha256
        self.actual = actual


class BlobTooLargeError(ValueError):
    """A stream went past the limit its caller set; nothing of it was kept."""

    code = "BLOB_TOO_LARGE"

    def __init__(self, limit: int) -> None:
        super().__init__(f"Dữ liệu vượt giới hạn {limit} byte, không lưu.")
        self.limit = limit


class Readable(Protocol):
    """What a stream is read from: a file, a request body (HttpRequest.read), an upload."""

    def read(self, n: int, /) -> bytes: ...


@dataclass
class Received:
    """A body hashed and held, not yet a blob: `BlobStore.commit` makes it one, `discard` drops
    it. A large body is held in a temp file (`path`; it goes either way), a small one in
    memory (`data`, `path` None: `held`)."""

    path: Path | None
    sha256: str
    size: int
    data: bytes | None = None

    def map(self) -> mmap.mmap | bytes:
        """The bytes for parsing without holding a second copy in memory."""
        if self.data is not None:
            return self.data
        if self.size == 0 or self.path is None:
            return b""
        with self.path.open("rb") as fh:
            return mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)

    def read(self) -> bytes:
        """All the bytes, as one copy in memory (for a body known to be small)."""
        if self.data is not None:
            return self.data
        return self.path.read_bytes() if self.path is not None else b""

    def discard(self) -> None:
        if self.path is not None:
            with contextlib.suppress(FileNotFoundError):
                self.path.unlink()


def held(data: bytes) -> Received:
    """Bytes already in memory, as a `Received`: no temp file to write and map back."""
    return Received(None, hashlib.sha256(data).hexdigest(), len(data), bytes(data))


class _Prepended:
    """A stream whose first bytes were already read: those, then the rest."""

    def __init__(self, head: bytes, rest: Readable) -> None:
        self.head = head
        self.rest = rest

    def read(self, n: int, /) -> bytes:
        if self.head:
            out, self.head = self.head[:n], self.head[n:]
            return out
        return self.rest.read(n)


def _read_at_most(stream: Readable, n: int) -> bytes:
    """Up to `n` bytes; fewer only at the end of the stream (a socket may give less per read)."""
    parts: list[bytes] = []
    got = 0
    while got < n and (chunk := stream.read(n - got)):
        parts.append(chunk)
        got += len(chunk)
    return b"".join(parts)


def spool(stream: Readable, limit: int, directory: Path, *, in_memory: int = 0) -> Received:
    """Copy a stream to a temp file in `directory`, hashing as it goes; BlobTooLargeError (and
    no file left) past `limit` bytes. Not fsynced here: a body that is refused, or kept
    elsewhere (the hub's small packages), never costs a flush; `commit` makes it durable.
    A stream that ends within `in_memory` bytes is held in memory instead: for a small body
    the temp file (create, write, map, unlink) cost more than all the rest of its reading."""
    if in_memory > 0:
        head = _read_at_most(stream, min(in_memory, limit) + 1)
        if len(head) <= min(in_memory, limit):
            return held(head)
        stream = _Prepended(head, stream)
    directory.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=directory, prefix="in-")
    digest = hashlib.sha256()
    size = 0
    try:
        with os.fdopen(fd, "wb") as out:
            while chunk := stream.read(CHUNK):
                size += len(chunk)
                if size > limit:
                    raise BlobTooLargeError(limit)
                digest.update(chunk)
                out.write(chunk)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(name)
        raise
    return Received(Path(name), digest.hexdigest(), size)


class BlobStore(Protocol):
    def put(self, data: bytes) -> str: ...
    def receive(self, stream: Readable, limit: int, *, in_memory: int = 0) -> Received: ...
    def commit(self, received: Received) -> str: ...
    def put_stream(self, stream: Readable, limit: int) -> tuple[str, int]: ...
    def get(self, sha256: str) -> bytes: ...
    def exists(self, sha256: str) -> bool: ...
    def verify(self, sha256: str) -> bool: ...
    def iter_hashes(self) -> Iterator[str]: ...
    def destroy(self, sha256: str) -> bool: ...


class StreamingWrites:
    """Streaming writes, the same for every backend: `receive` spools a stream under a limit
    (hashing as it goes), the caller may look at it (`Received.map`), `commit` makes it a blob
    before any database row names it; `put_stream` is both at once."""

    spool_dir: Path

    def commit(self, received: Received) -> str:
        raise NotImplementedError

    def receive(self, stream: Readable, limit: int, *, in_memory: int = 0) -> Received:
        return spool(stream, limit, self.spool_dir, in_memory=in_memory)

    def put_stream(self, stream: Readable, limit: int) -> tuple[str, int]:
        """A stream stored as a blob without ever being whole in memory: (sha256, size)."""
        received = self.receive(stream, limit)
        try:
            self.commit(received)
        finally:
            received.discard()
        return received.sha256, received.size


def _check_name(sha256: str) -> str:
    if len(sha256) != 64 or not set(sha256) <= _HEX:
        raise ValueError(f"không phải mã băm sha256: {sha256!r}")
    return sha256


def _fsync_path(path: Path) -> None:
    """fsync a file (its bytes) or a directory (a rename or an unlink in it) by name."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(directory: Path) -> None:
    """Make a rename or an unlink in `directory` durable."""
    _fsync_path(directory)


def _make_dirs(directory: Path) -> list[Path]:
    """`mkdir -p`, returning the directories it created, deepest first: each one's entry in its
    parent must be fsynced too, or a crash can lose a new `ab/cd` with the blob inside."""
    missing = []
    current = directory
    while not current.exists():
        missing.append(current)
        current = current.parent
    directory.mkdir(parents=True, exist_ok=True)
    return missing


class LocalBlobStore(StreamingWrites):
    """`root/ab/cd/<sha256>`, read-only files; temp files in `root/tmp` (the same file system,
    so the rename into place is atomic; never listed as blobs)."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.spool_dir = self.root / "tmp"

    def path(self, sha256: str) -> Path:
        _check_name(sha256)
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def _present(self, sha256: str, size: int) -> bool:
        target = self.path(sha256)
        return target.is_file() and target.stat().st_size == size

    def put(self, data: bytes) -> str:
        digest = hashlib.sha256(data).hexdigest()
        if self._present(digest, len(data)):
            return digest  # same name, same bytes: content addressing makes this a no-op
        return self.commit(self.receive(io.BytesIO(data), len(data)))

    def commit(self, received: Received) -> str:
        """Rename the temp file to its content address (its bytes fsynced first, read-only; its
        directory, and the parent of each directory made for it, fsynced); when that blob is
        already there, the temp file just goes. A body held in memory is written as `put` does."""
        if received.path is None:
            assert received.data is not None, "a Received has a path or its data"
            return self.put(received.data)
        try:
            if self._present(received.sha256, received.size):
                return received.sha256  # same name, same bytes: written once, never changed
            _fsync_path(received.path)  # the bytes are on disk before the name that says so
            target = self.path(received.sha256)
            created = _make_dirs(target.parent)
            os.chmod(received.path, 0o440)
            os.replace(received.path, target)
            _fsync_dir(target.parent)
            for directory in created:  # the new directories' own entries, deepest first
                _fsync_dir(directory.parent)
        finally:
            received.discard()
        return received.sha256

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
                for chunk in iter(lambda: fh.read(CHUNK), b""):
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
def _s3_store_for(url: str, endpoint: str, region: str, sub: str, spool_dir: str) -> BlobStore:
    from vanban.blobs.s3 import S3BlobStore, make_client, parse_blob_url  # noqa: PLC0415 - blobs.s3 imports this module; only VANBAN_BLOB_URL=s3:// needs it

    bucket, prefix = parse_blob_url(url)
    return S3BlobStore(make_client(endpoint, region), bucket, prefix + sub, spool_dir=Path(spool_dir))


_NAMESPACE = re.compile(r"[a-z]*")


def get_store(namespace: str = "") -> BlobStore:
    """The installation's store. `namespace` "" is the office's: `$VANBAN_DATA_DIR/blobs`, or
    keys `<prefix>ab/cd/<sha256>` in object storage; "hub" the exchange hub's:
    `$VANBAN_DATA_DIR/hub/blobs`, keys `<prefix>hub/ab/cd/<sha256>`. One implementation, two
    places, so an office and a hub on one data directory or bucket never list, purge or
    fixity-check each other's files. S3-compatible object storage when `VANBAN_BLOB_URL` is set
    (streamed bodies are then spooled to the local `tmp` directory of the namespace first)."""
    if not _NAMESPACE.fullmatch(namespace):
        raise ValueError(f"không phải tên vùng lưu trữ: {namespace!r}")
    local = Path(settings.DATA_DIR) / namespace / "blobs"
    url = getattr(settings, "VANBAN_BLOB_URL", "")
    if url:
        return _s3_store_for(url, getattr(settings, "VANBAN_S3_ENDPOINT_URL", ""),
                             getattr(settings, "VANBAN_S3_REGION", ""), f"{namespace}/" if namespace else "",
                             str(local / "tmp"))
    return _store_for(str(local))
