"""Reading members of OOXML/ODF zips with a hard cap on what decompression may produce.

Declared sizes in a zip are written by the sender, so they are checked and then not
trusted: members are read in chunks and reading stops at the cap.
"""

from __future__ import annotations

import io
import zipfile

from vanban.textract.errors import TextractError
from vanban.textract.limits import Limits

__all__ = ["SafeZip"]

_CHUNK = 64 * 1024


class SafeZip:
    """A zip opened from bytes whose members can be read within one shared budget."""

    def __init__(self, data: bytes, limits: Limits) -> None:
        try:
            self.zf = zipfile.ZipFile(io.BytesIO(data))
            infos = self.zf.infolist()
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
            raise TextractError("corrupt", detail="không phải tệp zip hợp lệ") from exc
        if len(infos) > limits.max_zip_members:
            raise TextractError("zip_bomb", detail=f"{len(infos)} thành phần")
        self.limits = limits
        self.budget = limits.max_decompressed_bytes
        self.names = {info.filename for info in infos}

    def has(self, name: str) -> bool:
        return name in self.names

    def read(self, name: str) -> bytes:
        """The member's bytes; TextractError('zip_bomb') past the budget or the ratio."""
        try:
            info = self.zf.getinfo(name)
        except KeyError as exc:
            raise TextractError("corrupt", detail=f"thiếu {name}") from exc
        if info.flag_bits & 0x1:
            raise TextractError("encrypted")
        if info.file_size > self.budget:
            raise TextractError("zip_bomb", detail=f"{name}: {info.file_size} byte")
        ratio_cap = max(info.compress_size, 1024) * self.limits.max_compression_ratio
        cap = min(self.budget, ratio_cap)
        out = bytearray()
        try:
            with self.zf.open(info) as fh:
                while True:
                    chunk = fh.read(_CHUNK)
                    if not chunk:
                        break
                    out += chunk
                    if len(out) > cap:
                        raise TextractError("zip_bomb", detail=f"{name} giải nén vượt giới hạn")
        except TextractError:
            raise
        except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError,
                RuntimeError) as exc:
            raise TextractError("corrupt", detail=f"{name}: {exc.__class__.__name__}") from exc
        self.budget -= len(out)
        return bytes(out)
