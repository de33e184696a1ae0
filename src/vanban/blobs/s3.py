"""Blobs in S3-compatible object storage (AWS S3, MinIO, Ceph, a provider's S3 service), so
several web and worker nodes share the same files.

Same contract as `LocalBlobStore`: content-addressed by SHA-256 (key `<prefix>ab/cd/<sha256>`),
write-once (an object already there with the right size is not written again), every read
re-hashed (`BlobCorruptError` when the bytes no longer match their name — a bucket someone
wrote into), `BlobMissingError` when absent. Large bodies go up and come down in parts
(boto3's managed transfer), never as one buffer more than the caller holds; a streamed body
(`receive`, `put_stream`) is spooled and hashed in a local temp directory first, then
uploaded from there by `commit`. Credentials come
from boto3's usual chain (environment, `~/.aws/credentials`, instance role), never from the
database.
"""

from __future__ import annotations

import hashlib
import io
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from vanban.blobs.store import CHUNK, BlobCorruptError, BlobMissingError, Received, StreamingWrites, _check_name


def parse_blob_url(url: str) -> tuple[str, str]:
    """`s3://bucket/some/prefix` → ("bucket", "some/prefix/")."""
    parts = urlsplit(url)
    if parts.scheme != "s3" or not parts.netloc:
        raise ValueError(f"VANBAN_BLOB_URL={url!r}: expected s3://bucket[/prefix]")
    prefix = parts.path.strip("/")
    return parts.netloc, f"{prefix}/" if prefix else ""


def make_client(endpoint_url: str | None = None, region: str | None = None) -> Any:
    import boto3  # noqa: PLC0415 - boto3 is slow to import; only an S3 blob store needs it
    from botocore.config import Config  # noqa: PLC0415 - botocore is slow to import; only an S3 blob store needs it

    return boto3.client("s3", endpoint_url=endpoint_url or None, region_name=region or "us-east-1",
                        config=Config(retries={"max_attempts": 5, "mode": "standard"},
                                      s3={"addressing_style": "path"}))


class S3BlobStore(StreamingWrites):
    def __init__(self, client: Any, bucket: str, prefix: str = "", *, spool_dir: Path | None = None) -> None:
        self.client, self.bucket, self.prefix = client, bucket, prefix
        self.spool_dir = spool_dir or Path(tempfile.gettempdir())

    def key(self, sha256: str) -> str:
        _check_name(sha256)
        return f"{self.prefix}{sha256[:2]}/{sha256[2:4]}/{sha256}"

    def _size(self, sha256: str) -> int | None:
        from botocore.exceptions import ClientError  # noqa: PLC0415 - botocore is slow to import; only an S3 blob store needs it

        try:
            return int(self.client.head_object(Bucket=self.bucket, Key=self.key(sha256))["ContentLength"])
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return None
            raise

    def put(self, data: bytes) -> str:
        digest = hashlib.sha256(data).hexdigest()
        if self._size(digest) == len(data):
            return digest  # same name, same bytes: content addressing makes this a no-op
        self.client.upload_fileobj(io.BytesIO(data), self.bucket, self.key(digest))
        return digest

    def commit(self, received: Received) -> str:
        """A body spooled to disk (`receive`) uploaded in parts, unless that object is already
        there; the temp file goes either way. A body held in memory is uploaded as `put` does."""
        if received.path is None:
            assert received.data is not None, "a Received has a path or its data"
            return self.put(received.data)
        try:
            if self._size(received.sha256) != received.size:
                self.client.upload_file(str(received.path), self.bucket, self.key(received.sha256))
        finally:
            received.discard()
        return received.sha256

    def _body(self, sha256: str) -> Any:
        from botocore.exceptions import ClientError  # noqa: PLC0415 - botocore is slow to import; only an S3 blob store needs it

        try:
            return self.client.get_object(Bucket=self.bucket, Key=self.key(sha256))["Body"]
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                raise BlobMissingError(f"Không tìm thấy tệp lưu trữ {sha256}.") from None
            raise

    def get(self, sha256: str) -> bytes:
        body = self._body(sha256)
        data: bytes = body.read()
        actual = hashlib.sha256(data).hexdigest()
        if actual != sha256:
            raise BlobCorruptError(sha256, actual)
        return data

    def exists(self, sha256: str) -> bool:
        return self._size(sha256) is not None

    def verify(self, sha256: str) -> bool:
        """Re-hash as it streams (fixity of large files without holding them)."""
        h = hashlib.sha256()
        try:
            body = self._body(sha256)
        except BlobMissingError:
            return False
        for chunk in iter(lambda: body.read(CHUNK), b""):
            h.update(chunk)
        return h.hexdigest() == sha256

    def destroy(self, sha256: str) -> bool:
        """Remove a blob for good (a destruction decision); False when it was already gone.
        A versioned bucket keeps old versions: its lifecycle rules must expire them."""
        if self._size(sha256) is None:
            return False
        self.client.delete_object(Bucket=self.bucket, Key=self.key(sha256))
        return True

    def iter_hashes(self) -> Iterator[str]:
        pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=self.prefix)
        names = []
        for page in pages:
            for obj in page.get("Contents", []):
                name = obj["Key"].rsplit("/", 1)[-1]
                if len(name) == 64 and obj["Key"] == self.key(name):
                    names.append(name)
        yield from sorted(names)
