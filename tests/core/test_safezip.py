"""The one zip guard (`vanban.core.safezip`): what it refuses, and that it refuses the same way
for every reader of zips (upload check, text extraction, zips of scans, archive packages)."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from vanban.core.formats import FormatError, check_file
from vanban.core.safezip import SafeZip, ZipLimits, ZipRefusedError, ratio_exceeded
from vanban.textract import TextractError, extract_text
from vanban.textract.limits import Limits, TextractZip


def _zip(members: dict[str, bytes], *, encrypted: frozenset[str] = frozenset()) -> bytes:
    """A zip made here; members named in `encrypted` get the "encrypted" flag (bit 0) set in
    their central directory entry, as a password-protected file has it."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, body in members.items():
            zf.writestr(zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0)), body,
                        compress_type=zipfile.ZIP_DEFLATED)
    data = bytearray(out.getvalue())
    at = data.find(b"PK\x01\x02")
    while at != -1:
        name_len = int.from_bytes(data[at + 28: at + 30], "little")
        if data[at + 46: at + 46 + name_len].decode() in encrypted:
            data[at + 8] |= 0x1
        at = data.find(b"PK\x01\x02", at + 46)
    return bytes(data)


def _refused(source: bytes | Path, limits: ZipLimits | None = None) -> str:
    with pytest.raises(ZipRefusedError) as caught:
        SafeZip(source, limits)
    return caught.value.reason


def test_reads_members_from_bytes_a_path_and_a_file(tmp_path: Path) -> None:
    data = _zip({"a.txt": "Tiếng Việt".encode(), "thư mục/b.xml": b"<x/>"})
    path = tmp_path / "goi.zip"
    path.write_bytes(data)
    for source in (data, path, io.BytesIO(data)):
        with SafeZip(source) as archive:  # type: ignore[arg-type]
            assert archive.names == {"a.txt", "thư mục/b.xml"}
            assert archive.read("a.txt").decode() == "Tiếng Việt"
            assert b"".join(archive.chunks("thư mục/b.xml")) == b"<x/>"
            assert archive.size("a.txt") == len("Tiếng Việt".encode())
            assert not archive.encrypted


def test_too_many_members_is_a_bomb() -> None:
    data = _zip({f"{i}.txt": b"x" for i in range(11)})
    assert _refused(data, ZipLimits(max_members=10)) == "bomb"
    assert len(SafeZip(data, ZipLimits(max_members=11)).names) == 11


def test_declared_total_over_the_budget_is_refused_on_opening() -> None:
    data = _zip({"a.bin": b"\x01" * 600_000, "b.bin": b"\x02" * 600_000})
    assert _refused(data, ZipLimits(max_total_bytes=1_000_000)) == "bomb"


def test_high_ratio_is_a_bomb_but_not_below_the_floor() -> None:
    zeros = _zip({"zeros.bin": bytes(5 * 1024 * 1024)})  # ~5 KB compressed: about 1 000:1
    assert len(zeros) < 50_000
    assert _refused(zeros) == "bomb"
    small = _zip({"zeros.bin": bytes(512 * 1024)})  # the same ratio under the 1 MiB floor
    assert SafeZip(small).read("zeros.bin") == bytes(512 * 1024)
    assert ratio_exceeded(2 * 1024 * 1024, 1000, ZipLimits())
    assert not ratio_exceeded(2 * 1024 * 1024, 20_000, ZipLimits())


def test_budget_is_shared_by_every_read() -> None:
    archive = SafeZip(_zip({"a.bin": bytes(range(256)) * 2800}), ZipLimits(max_total_bytes=1_000_000))
    assert len(archive.read("a.bin")) == 716_800
    with pytest.raises(ZipRefusedError) as caught:  # a second read of the same member: past the budget
        archive.read("a.bin")
    assert caught.value.reason == "bomb"


@pytest.mark.parametrize("name", ["../ngoai.txt", "/etc/passwd", "a/../../b.txt", "thu\\muc.txt"])
def test_paths_that_climb_out_are_refused(name: str) -> None:
    assert _refused(_zip({"ok.txt": b"1", name: b"2"})) == "unsafe_path"


def test_encrypted_member_is_flagged_and_not_read() -> None:
    archive = SafeZip(_zip({"plain.txt": b"1", "secret.txt": b"2"}, encrypted=frozenset({"secret.txt"})))
    assert archive.encrypted
    assert archive.read("plain.txt") == b"1"
    with pytest.raises(ZipRefusedError) as caught:
        archive.read("secret.txt")
    assert caught.value.reason == "encrypted"


@pytest.mark.parametrize("data", [b"", b"PK\x03\x04 not a zip", b"\x00" * 100])
def test_damaged_bytes_are_corrupt(data: bytes) -> None:
    assert _refused(data) == "corrupt"


def test_truncated_zip_is_corrupt_not_a_crash() -> None:
    data = _zip({"a.txt": b"noi dung " * 1000})
    assert _refused(data[: len(data) // 2]) == "corrupt"


def test_a_missing_member_is_named() -> None:
    with pytest.raises(ZipRefusedError) as caught:
        SafeZip(_zip({"a.txt": b"1"})).read("b.txt")
    assert (caught.value.reason, caught.value.detail) == ("missing", "thiếu b.txt")


def test_every_reader_refuses_the_same_bomb() -> None:
    """One guard: the upload check, text extraction and the textract reader all say bomb."""
    docx = _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": bytes(5 * 1024 * 1024)})
    with pytest.raises(FormatError) as upload:
        check_file("bom.docx", docx)
    assert upload.value.code == "FILE_ZIP_BOMB"
    with pytest.raises(TextractError) as text:
        extract_text(docx, "docx")
    assert text.value.code == "zip_bomb"
    with pytest.raises(TextractError) as reader:
        TextractZip(docx, Limits())
    assert reader.value.code == "zip_bomb"


def test_textract_reader_turns_every_refusal_into_its_own_error() -> None:
    with pytest.raises(TextractError) as missing:
        TextractZip(_zip({"a.txt": b"1"}), Limits()).read("word/document.xml")
    assert missing.value.code == "corrupt"
    with pytest.raises(TextractError) as locked:
        TextractZip(_zip({"a.txt": b"1"}, encrypted=frozenset({"a.txt"})), Limits()).read("a.txt")
    assert locked.value.code == "encrypted"
