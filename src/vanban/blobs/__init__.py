"""Immutable content-addressed blobs: the bytes of every file vanban keeps.

`LocalBlobStore` writes `root/ab/cd/<sha256>` atomically (temp file, fsync, rename, fsync
of the directory) and verifies the hash on every read, so a file changed on disk is
reported instead of served. Another backend (S3) implements the same `BlobStore`
protocol. Blobs are written before the database row that names them; a blob without a
row is an orphan to reconcile, never a lost document.
"""

from vanban.blobs.store import BlobCorruptError, BlobMissingError, BlobStore, LocalBlobStore, get_store

__all__ = ["BlobCorruptError", "BlobMissingError", "BlobStore", "LocalBlobStore", "get_store"]
