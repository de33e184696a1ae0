from __future__ import annotations

import hashlib
import io
import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vanban.blobs import CHUNK, BlobCorruptError, BlobMissingError, BlobTooLargeError, LocalBlobStore, get_store, held

pytestmark = pytest.mark.unit


def test_put_get_round_trip_and_layout(tmp_path: Path) -> None:
    store = LocalBlobStore(tmp_path)
    data = "Quyết định số 12/QĐ-UBND".encode()
    digest = store.put(data)
    assert digest == hashlib.sha256(data).hexdigest()
    assert (tmp_path / digest[:2] / digest[2:4] / digest).read_bytes() == data
    assert store.get(digest) == data
    assert store.exists(digest) and store.verify(digest)
    assert store.put(data) == digest  # idempotent
    assert list(store.iter_hashes()) == [digest]
    assert not list(tmp_path.rglob(".tmp-*"))



def test_new_directories_are_fsynced_in_their_parents(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A crash after a commit must not lose a new `ab/cd` directory with the blob inside: the
    blob's directory is fsynced, and so is the parent of each directory made for it."""
    from vanban.blobs import store as store_module

    synced: list[Path] = []
    real = store_module._fsync_dir
    monkeypatch.setattr(store_module, "_fsync_dir", lambda d: (synced.append(Path(d)), real(d))[1])
    root = tmp_path / "blobs"
    root.mkdir()
    store = LocalBlobStore(root)
    first = store.put(b"first")
    cd = root / first[:2] / first[2:4]
    assert synced == [cd, cd.parent, root]
    synced.clear()
    second = next(d for d in (f"x{n}".encode() for n in range(2_000_000))
                  if hashlib.sha256(d).hexdigest()[:4] == first[:4])  # the same ab/cd
    store.put(second)
    assert synced == [cd]  # the directories exist: only the blob's own entry


def test_bytes_are_flushed_by_commit_before_the_rename_and_never_for_a_discarded_body(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The blob's bytes reach the disk before the name that says they are there (fsync of the
    temp file, then the rename); a received body that is discarded — refused, or kept in the
    database by the hub — costs no fsync at all."""
    from vanban.blobs import store as store_module

    steps: list[str] = []
    real_fsync, real_replace = os.fsync, os.replace
    def fsync(fd: int) -> None:
        steps.append(f"fsync {os.readlink(f'/proc/self/fd/{fd}')}")
        real_fsync(fd)

    monkeypatch.setattr(store_module.os, "fsync", fsync)
    monkeypatch.setattr(store_module.os, "replace", lambda a, b: (steps.append(f"rename {a}"), real_replace(a, b))[1])
    store = LocalBlobStore(tmp_path / "blobs")
    refused = store.receive(io.BytesIO(b"never kept"), 100)
    refused.discard()
    assert steps == [] and not refused.path.exists()
    received = store.receive(io.BytesIO(b"kept"), 100)
    assert steps == []
    store.commit(received)
    assert steps[:2] == [f"fsync {received.path}", f"rename {received.path}"]
    assert store.get(received.sha256) == b"kept"


def test_changed_bytes_on_disk_are_detected(tmp_path: Path) -> None:
    store = LocalBlobStore(tmp_path)
    digest = store.put(b"original")
    path = store.path(digest)
    os.chmod(path, 0o640)
    path.write_bytes(b"tampered")
    with pytest.raises(BlobCorruptError) as info:
        store.get(digest)
    assert info.value.sha256 == digest
    assert not store.verify(digest)


def test_missing_and_bad_names(tmp_path: Path) -> None:
    store = LocalBlobStore(tmp_path)
    with pytest.raises(BlobMissingError):
        store.get("0" * 64)
    assert not store.verify("0" * 64)
    with pytest.raises(ValueError):
        store.get("../../etc/passwd")


@settings(max_examples=50)
@given(st.binary(max_size=5000))
def test_any_bytes_round_trip(tmp_path_factory: pytest.TempPathFactory, data: bytes) -> None:
    store = LocalBlobStore(tmp_path_factory.mktemp("blobs"))
    assert store.get(store.put(data)) == data


def test_destroy_removes_the_bytes_once(tmp_path: Path) -> None:
    store = LocalBlobStore(tmp_path)
    keep, gone = store.put(b"giu lai"), store.put(b"huy theo quyet dinh")
    assert store.destroy(gone) is True
    assert not store.exists(gone) and not store.path(gone).exists()
    with pytest.raises(BlobMissingError):
        store.get(gone)
    assert store.destroy(gone) is False  # repeating a purge is harmless
    assert list(store.iter_hashes()) == [keep] and store.get(keep) == b"giu lai"
    with pytest.raises(ValueError):
        store.destroy("../../etc/passwd")


class Trickle:
    """A stream that hands out a few bytes per read (a slow request body)."""

    def __init__(self, data: bytes, step: int = 7) -> None:
        self.data, self.step, self.at, self.reads = data, step, 0, 0

    def read(self, n: int, /) -> bytes:
        self.reads += 1
        chunk = self.data[self.at:self.at + min(n, self.step)]
        self.at += len(chunk)
        return chunk


def test_streaming_write_receive_then_commit(tmp_path: Path) -> None:
    store = LocalBlobStore(tmp_path)
    data = "Công văn số 7/UBND-VP, gửi từng phần".encode() * 50
    stream = Trickle(data)
    received = store.receive(stream, limit=len(data))
    assert stream.reads > 100  # read piece by piece, never as one body
    assert (received.sha256, received.size) == (hashlib.sha256(data).hexdigest(), len(data))
    assert received.path.parent == tmp_path / "tmp" and received.path.read_bytes() == data
    assert bytes(received.map()) == data  # for parsing before it is a blob
    assert not store.exists(received.sha256)  # not a blob until committed
    assert store.commit(received) == received.sha256
    assert store.get(received.sha256) == data and not received.path.exists()
    assert not os.stat(store.path(received.sha256)).st_mode & 0o222  # written once, never changed
    assert list(store.iter_hashes()) == [received.sha256]  # the temp directory is not a blob
    again = store.receive(Trickle(data), limit=len(data))
    assert store.commit(again) == received.sha256 and list((tmp_path / "tmp").iterdir()) == []


def test_a_small_body_is_held_in_memory_and_a_larger_one_spooled_whole(tmp_path: Path) -> None:
    """`in_memory`: a stream that ends within it never touches the disk until committed; one a
    byte longer is spooled with the bytes already read in front, none lost or repeated."""
    store = LocalBlobStore(tmp_path)
    small = "Công văn ngắn".encode() * 50
    stream = Trickle(small, step=5)
    received = store.receive(stream, limit=1000, in_memory=len(small))
    assert received.path is None and not (tmp_path / "tmp").exists()  # no temp file made
    assert (received.sha256, received.size) == (hashlib.sha256(small).hexdigest(), len(small))
    assert received.map() == small and received.read() == small and stream.reads > 100
    received.discard()  # nothing to remove: harmless
    assert not store.exists(received.sha256)
    assert store.commit(received) == received.sha256 and store.get(received.sha256) == small
    assert not os.stat(store.path(received.sha256)).st_mode & 0o222  # a blob like any other
    assert list((tmp_path / "tmp").iterdir()) == []

    longer = small + b"!"
    spooled = store.receive(Trickle(longer, step=5), limit=1000, in_memory=len(small))
    assert spooled.path is not None and spooled.path.read_bytes() == longer and spooled.read() == longer
    assert (spooled.sha256, spooled.size) == (hashlib.sha256(longer).hexdigest(), len(longer))
    assert store.commit(spooled) == spooled.sha256 and store.get(spooled.sha256) == longer

    # The caller's limit still rules when it is below the in-memory size.
    with pytest.raises(BlobTooLargeError):
        store.receive(io.BytesIO(b"x" * 11), limit=10, in_memory=100)
    assert store.receive(io.BytesIO(b"x" * 10), limit=10, in_memory=100).path is None
    with pytest.raises(BlobTooLargeError):
        store.receive(Trickle(b"y" * 300, step=64), limit=200, in_memory=100)
    assert list((tmp_path / "tmp").iterdir()) == []
    empty = held(b"")
    assert (empty.size, empty.map(), empty.sha256) == (0, b"", hashlib.sha256(b"").hexdigest())


def test_put_stream_and_put_are_one_write_path(tmp_path: Path) -> None:
    store = LocalBlobStore(tmp_path)
    data = b"%PDF-1.7 " + bytes(range(256)) * 4096  # 1 MB and a bit: more than one chunk
    assert store.put_stream(io.BytesIO(data), limit=len(data)) == (hashlib.sha256(data).hexdigest(), len(data))
    assert store.put(data) == hashlib.sha256(data).hexdigest()
    assert store.put(b"") == hashlib.sha256(b"").hexdigest() and store.get(hashlib.sha256(b"").hexdigest()) == b""
    empty = store.receive(io.BytesIO(b""), 0)
    assert empty.map() == b"" and empty.path.exists()
    empty.discard()
    assert list((tmp_path / "tmp").iterdir()) == []  # every write went through a temp file, none left


def test_stream_past_the_limit_is_refused_and_leaves_nothing(tmp_path: Path) -> None:
    store = LocalBlobStore(tmp_path)
    with pytest.raises(BlobTooLargeError) as info:
        store.put_stream(io.BytesIO(b"x" * (CHUNK + 10)), limit=CHUNK)
    assert info.value.limit == CHUNK and info.value.code == "BLOB_TOO_LARGE" and str(CHUNK) in str(info.value)
    with pytest.raises(BlobTooLargeError):
        store.receive(Trickle(b"abcdefgh", step=3), limit=7)  # one byte over, across reads
    assert list((tmp_path / "tmp").iterdir()) == [] and list(store.iter_hashes()) == []
    assert store.put_stream(io.BytesIO(b"x" * 7), limit=7)[1] == 7  # exactly the limit is fine


def test_a_truncated_blob_is_replaced_by_the_whole_one(tmp_path: Path) -> None:
    store = LocalBlobStore(tmp_path)
    digest = store.put(b"ban day du")
    path = store.path(digest)
    os.chmod(path, 0o640)
    path.write_bytes(b"ban")  # a crash of some other writer, a disk fault
    assert store.commit(store.receive(io.BytesIO(b"ban day du"), 100)) == digest
    assert store.get(digest) == b"ban day du"


def test_namespaces_keep_office_and_hub_apart(settings, tmp_path: Path) -> None:
    """One implementation, two places under one data directory: the office's blobs and the
    hub's, as laid out before the stores were merged, neither listing the other's."""
    settings.DATA_DIR = tmp_path
    settings.VANBAN_BLOB_URL = ""
    office, hub = get_store(), get_store("hub")
    assert isinstance(office, LocalBlobStore) and isinstance(hub, LocalBlobStore)
    assert (office.root, hub.root) == (tmp_path / "blobs", tmp_path / "hub" / "blobs")
    office_sha, hub_sha = office.put(b"van ban co quan"), hub.put_stream(io.BytesIO(b"goi tin truc"), 100)[0]
    assert list(office.iter_hashes()) == [office_sha] and list(hub.iter_hashes()) == [hub_sha]
    assert not office.exists(hub_sha) and not hub.exists(office_sha)
    with pytest.raises(ValueError):
        get_store("../blobs")
