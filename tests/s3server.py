"""An S3-compatible server on loopback for the tests (moto's server mode, a real HTTP S3 API):
the blob store and the exchange run against it with `VANBAN_TEST_BLOB_URL=s3` (CI's object
storage pass), and tests/blobs/test_s3.py always."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

BUCKET = "vanban-test"


@contextmanager
def s3_server() -> Iterator[str]:
    """The endpoint URL of a fresh server with the test bucket; AWS_* test credentials set."""
    from moto.server import ThreadedMotoServer

    for key, value in {"AWS_ACCESS_KEY_ID": "vanban-test", "AWS_SECRET_ACCESS_KEY": "vanban-test",
                       "AWS_DEFAULT_REGION": "us-east-1"}.items():
        os.environ.setdefault(key, value)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    try:
        from vanban.blobs.s3 import make_client

        make_client(endpoint).create_bucket(Bucket=BUCKET)
        yield endpoint
    finally:
        server.stop()


def tamper(store: object, sha256: str, data: bytes | None) -> None:
    """Change (or, with None, delete) a stored blob behind the store's back, as someone with
    disk or bucket access would: on the local directory or in the bucket."""
    from vanban.blobs.s3 import S3BlobStore

    if isinstance(store, S3BlobStore):
        if data is None:
            store.client.delete_object(Bucket=store.bucket, Key=store.key(sha256))
        else:
            store.client.put_object(Bucket=store.bucket, Key=store.key(sha256), Body=data)
        return
    path = store.path(sha256)  # type: ignore[attr-defined]
    if data is None:
        path.unlink()
        return
    os.chmod(path, 0o640)
    path.write_bytes(data)
