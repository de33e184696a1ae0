"""Reading zips that come from outside (Office files, ODF, zips of scans, archive packages)
within bounds: how many members, what decompression may produce in all and per member, no
encrypted member, no path that climbs out of the archive.

One module for every reader of a zip in vanban, so that a zip bomb is refused the same way
everywhere. Sizes declared in a zip are written by the sender: they are checked on opening
(a cheap early refusal) and then not trusted — members are inflated in chunks and reading stops
at the budget or at the ratio. Each caller turns a refusal into its own error
(`ZipRefusedError.reason` is one of `REASONS`); the edXML reader, which inflates a zip entry
as base64 arrives and never has the whole archive, shares only `ratio_exceeded`.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import BinaryIO

__all__ = ["REASONS", "SafeZip", "ZipLimits", "ZipRefusedError", "ratio_exceeded"]

REASONS = ("corrupt", "bomb", "encrypted", "missing", "unsafe_path")
_CHUNK = 64 * 1024
# Everything zipfile raises for damaged input (found by fuzzing: a changed byte can ask for an
# unknown zip version → NotImplementedError; a bad local header → BadZipFile; a broken
# deflate stream → zlib.error).
_DAMAGED = (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, NotImplementedError, ValueError,
            EOFError, OSError, RuntimeError)


@dataclass(frozen=True)
class ZipLimits:
    """Defaults suit an attachment of an administrative document."""

    max_members: int = 5_000
    max_total_bytes: int = 200 * 1024 * 1024  # what all members may inflate to, together
    max_ratio: int = 200  # inflated : compressed, per member and for the whole archive
    ratio_floor: int = 1024 * 1024  # below this many inflated bytes no ratio is too high


class ZipRefusedError(Exception):
    """Why a zip (or one member) is not read; `detail` is Vietnamese, for people."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason if reason in REASONS else "corrupt"
        self.detail = detail


def ratio_exceeded(produced: int, compressed: int, limits: ZipLimits) -> bool:
    """True when `produced` inflated bytes from `compressed` bytes is past the ratio."""
    return produced > limits.ratio_floor and produced > limits.max_ratio * max(compressed, 1)


def unsafe_path(name: str) -> bool:
    """An absolute path, a backslash or a `..` step: would land outside where it is unpacked."""
    return name.startswith("/") or "\\" in name or ".." in PurePosixPath(name).parts


class SafeZip:
    """A zip opened from bytes, a path or a binary file; members read within one budget."""

    def __init__(self, source: bytes | Path | BinaryIO, limits: ZipLimits | None = None) -> None:
        self.limits = limits or ZipLimits()
        if isinstance(source, bytes):
            archive_size = len(source)
            handle: Path | BinaryIO = io.BytesIO(source)
        elif isinstance(source, Path):
            archive_size = source.stat().st_size
            handle = source
        else:
            archive_size = source.seek(0, io.SEEK_END)
            source.seek(0)
            handle = source
        try:
            self.zf = zipfile.ZipFile(handle)
            infos = self.zf.infolist()
        except _DAMAGED as exc:
            raise ZipRefusedError("corrupt", "không phải tệp zip hợp lệ") from exc
        if len(infos) > self.limits.max_members:
            raise ZipRefusedError("bomb", f"{len(infos):,} thành phần, tối đa {self.limits.max_members:,}")
        declared = sum(info.file_size for info in infos)
        if declared > self.limits.max_total_bytes or ratio_exceeded(declared, archive_size, self.limits):
            raise ZipRefusedError("bomb", f"khai báo {declared:,} byte sau giải nén từ {archive_size:,} byte")
        climbing = next((info.filename for info in infos if unsafe_path(info.filename)), None)
        if climbing is not None:
            raise ZipRefusedError("unsafe_path", f"đường dẫn không an toàn: {climbing}")
        self.infos = infos
        self.names = {info.filename for info in infos}
        self.encrypted = any(info.flag_bits & 0x1 for info in infos)
        self.budget = self.limits.max_total_bytes

    def close(self) -> None:
        self.zf.close()

    def __enter__(self) -> SafeZip:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def has(self, name: str) -> bool:
        return name in self.names

    def size(self, name: str) -> int:
        """The member's declared size (a hint: reading checks what really comes out)."""
        return self._info(name).file_size

    def read(self, name: str) -> bytes:
        """The member's bytes, counted against the budget."""
        return b"".join(self.chunks(name))

    def chunks(self, name: str) -> Iterator[bytes]:
        """The member's bytes in chunks, for members too large to hold (archive packages)."""
        info = self._info(name)
        if info.flag_bits & 0x1:
            raise ZipRefusedError("encrypted", f"{name} được đặt mật khẩu")
        if info.file_size > self.budget:
            raise ZipRefusedError("bomb", f"{name}: {info.file_size:,} byte")
        produced = 0
        try:
            with self.zf.open(info) as fh:
                while chunk := fh.read(_CHUNK):
                    produced += len(chunk)
                    self.budget -= len(chunk)
                    if self.budget < 0 or ratio_exceeded(produced, info.compress_size, self.limits):
                        raise ZipRefusedError("bomb", f"{name} giải nén vượt giới hạn")
                    yield chunk
        except ZipRefusedError:
            raise
        except _DAMAGED as exc:
            raise ZipRefusedError("corrupt", f"{name}: {exc.__class__.__name__}") from exc

    def _info(self, name: str) -> zipfile.ZipInfo:
        try:
            return self.zf.getinfo(name)
        except KeyError as exc:
            raise ZipRefusedError("missing", f"thiếu {name}") from exc
