"""Immutable content-addressed blobs: the bytes of every file vanban keeps, the office's and
the exchange hub's — one implementation, two namespaces (`get_store()`, `get_store("hub")`).

`LocalBlobStore` writes `root/ab/cd/<sha256>` atomically (temp file, fsync, rename, fsync
of the directory) and verifies the hash on every read, so a file changed on disk is
reported instead of served. `S3BlobStore` implements the same `BlobStore` protocol in
S3-compatible object storage. Bytes in memory go in with `put`; a stream (a request body, an
upload) with `receive` — spooled to a temp file while hashed, `BlobTooLargeError` past the
caller's limit — then `commit` (fsync, rename; or `put_stream`, both at once), so a package
can be checked before it becomes a blob, and one that never becomes a blob costs no flush.
A caller may ask `receive` to hold a stream that ends within `in_memory` bytes in memory
instead of a temp file (`held`: the hub's small packages, which go into its database).
Blobs are written before the database row that names them, once, and never changed; a blob
without a row is an orphan to reconcile, never a lost document.
"""

from vanban.blobs.store import (
    CHUNK,
    BlobCorruptError,
    BlobMissingError,
    BlobStore,
    BlobTooLargeError,
    LocalBlobStore,
    Readable,
    Received,
    get_store,
    held,
)

__all__ = ["CHUNK", "BlobCorruptError", "BlobMissingError", "BlobStore", "BlobTooLargeError", "LocalBlobStore",
           "Readable", "Received", "get_store", "held"]
