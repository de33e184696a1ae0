"""The hub's original package bytes: the shared blob store (`vanban.blobs`) in its "hub"
namespace — `VANBAN_DATA_DIR/hub/blobs/ab/cd/<sha256>`, or keys `hub/ab/cd/<sha256>` under
`VANBAN_BLOB_URL` (several hub nodes).

A received body is streamed to a temp file (hashed as it goes, refused past the limit:
`TooLargeError`, which the API answers PACKAGE_TOO_LARGE), checked, then committed (fsynced,
renamed into place or uploaded) before any database row points at it; a body small enough for
the database is held in memory instead. A blob is written once
and never changed; a blob without a row (a crash between the two) is harmless.

A small package is not made a blob at all: its bytes go into the database with its row
(`PackageBody`, `VANBAN_HUB_BODY_IN_DATABASE_KB`); `original` reads either, checking the hash.
"""

from __future__ import annotations

import hashlib
import io

from vanban.blobs import CHUNK, BlobCorruptError, BlobStore, Readable, Received, get_store, held
from vanban.blobs import BlobTooLargeError as TooLargeError
from vanban.hub import conf

__all__ = ["CHUNK", "BlobCorruptError", "Received", "TooLargeError", "commit", "original", "read", "receive",
           "receive_bytes", "store"]


def store() -> BlobStore:
    return get_store("hub")


# However large VANBAN_HUB_BODY_IN_DATABASE_KB is set, a request holds at most this much in
# memory before it is spooled: each request in flight holds its body while it is checked.
IN_MEMORY_MAX = 1024 * 1024


def in_memory_bytes() -> int:
    return min(conf.body_in_database_bytes(), IN_MEMORY_MAX)


def receive(stream: Readable, limit: int) -> Received:
    """A body that fits in the database (`PackageBody`) is held in memory: it never becomes a
    blob unless refused, so a temp file would be written, mapped back and unlinked for nothing."""
    return store().receive(stream, limit, in_memory=in_memory_bytes())


def receive_bytes(data: bytes) -> Received:
    """Bytes already in memory (a parent's package, a VXP upload without its CRLF): a small
    body held as it is, a larger one spooled and mapped, so that it is not held in memory a
    second time while it is checked."""
    if len(data) <= in_memory_bytes():
        return held(data)
    return store().receive(io.BytesIO(data), len(data))


def commit(received: Received) -> str:
    return store().commit(received)


def read(sha256: str) -> bytes:
    """The exact bytes; BlobCorruptError if they no longer match their hash, BlobMissingError
    (an OSError) if they are gone."""
    return store().get(sha256)


def original(sha256: str, body: bytes | memoryview | None) -> bytes:
    """A package's exact bytes: its body from the database when it has one, else its blob;
    BlobCorruptError when they no longer match their hash — a body changed in the database is
    refused like a blob changed on disk."""
    if body is None:
        return read(sha256)
    data = bytes(body)
    actual = hashlib.sha256(data).hexdigest()
    if actual != sha256:
        raise BlobCorruptError(sha256, actual)
    return data
