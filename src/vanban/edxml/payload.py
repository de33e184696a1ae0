"""Attachment bytes on the wire: zipped (one entry) then base64, or plain base64.

Reading streams: base64 is decoded in chunks and the zip entry is inflated in bounded
steps straight from the received buffer, so a 200 MB package never holds a second copy
of its files in memory; sizes and ratios are checked while inflating, not after.
"""

from __future__ import annotations

import binascii
import hashlib
import io
import re
import struct
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Protocol

from vanban.core import b64
from vanban.core.safezip import ZipLimits, ratio_exceeded
from vanban.edxml.errors import EdxmlError
from vanban.edxml.limits import Limits

__all__ = ["ZIP_TYPE", "EncodedSource", "PayloadFacts", "decode_payload", "is_zip_name", "zip_one"]

# VNPT's EdXML102 parser unzips an attachment only when AttachmentEncoded/ContentType is exactly
# this string and the name does not end in .zip (docs/edxml.md, "VNPT's library").
ZIP_TYPE = "application/zip"


def is_zip_name(name: str) -> bool:
    """A .zip file travels as it is: VNPT's parser never unzips it."""
    return name.strip().lower().endswith(".zip")

_CHUNK = 4 * 1024 * 1024  # base64 characters per step (a multiple of 4)
_OUT = 1024 * 1024  # inflated bytes per step
_WS = b" \t\r\n"
_CHAR_REF = re.compile(rb"&#(?:13|10|9|32|x[dD]|x[aA]|x9|x20);")
_LOCAL = b"PK\x03\x04"
_CENTRAL = b"PK\x01\x02"
_END = b"PK\x05\x06"
_DESCRIPTOR = b"PK\x07\x08"


class Buffer(Protocol):
    def __getitem__(self, key: slice, /) -> bytes: ...
    def find(self, sub: bytes, start: int = ..., end: int = ..., /) -> int: ...
    def rfind(self, sub: bytes, start: int = ..., end: int = ..., /) -> int: ...
    def __len__(self) -> int: ...


def zip_one(name: str, data: bytes) -> bytes:
    """One deflated entry with a fixed timestamp, so the same file always zips to the same bytes."""
    out = io.BytesIO()
    info = zipfile.ZipInfo(filename=name, date_time=(1980, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    info.create_system = 3
    info.external_attr = 0o644 << 16
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr(info, data, compresslevel=6)
    return out.getvalue()


@dataclass(frozen=True, slots=True)
class EncodedSource:
    """Where an attachment's base64 text lies: a slice of the received buffer."""

    buffer: Buffer = field(repr=False)
    start: int
    end: int

    @property
    def length(self) -> int:
        return self.end - self.start


@dataclass(frozen=True, slots=True)
class PayloadFacts:
    """What one validating pass learnt: the file's size and hash, and whether it was zipped."""

    zipped: bool
    size: int
    sha256: str
    inner_name: str | None


def decode_payload(
    source: EncodedSource, limits: Limits, *, element: str, keep: bool = False, unwrap: bool = True
) -> tuple[PayloadFacts, bytes | None]:
    """Validate the base64 (and zip) fully; return facts and, if asked, the file bytes.

    `unwrap=False`: the bytes are the file even when they are a one-entry zip (a `.zip`
    attachment, which VNPT's parser never unzips)."""
    _check_declared(source, limits, element)
    source = _without_char_refs(source, element)
    estimate = source.length * 3 // 4
    # A zip's own hash is wasted once it turns out to be a one-entry wrapper: within one chunk
    # (files up to 3 MB) it is left until that is known; longer payloads hash as they go.
    single = source.length <= _CHUNK
    raw_hash = hashlib.sha256()
    raw_size = 0
    raw_parts: list[bytes] | None = [] if keep else None
    zipper: _ZipStream | None = None
    zip_hash = hashlib.sha256()
    zip_size = 0
    zip_parts: list[bytes] | None = [] if keep else None
    first = True
    last = b""
    for chunk in _iter_base64(source, element):
        if first:
            first = False
            if unwrap and chunk[:4] == _LOCAL:
                zipper = _ZipStream(limits, estimate, element)
        raw_size += len(chunk)
        if raw_size > limits.max_attachment_bytes:
            raise _too_large(element, limits)
        if single and zipper is not None:
            last = chunk
        else:
            raw_hash.update(chunk)
        if raw_parts is not None:
            raw_parts.append(chunk)
        if zipper is not None and zipper.active:
            for out in zipper.feed(chunk):
                zip_size += len(out)
                zip_hash.update(out)
                if zip_parts is not None:
                    zip_parts.append(out)
    if zipper is not None and zipper.active and zipper.finish():
        facts = PayloadFacts(True, zip_size, zip_hash.hexdigest(), zipper.name)
        return facts, (b"".join(zip_parts) if zip_parts is not None else None)
    raw_hash.update(last)
    facts = PayloadFacts(False, raw_size, raw_hash.hexdigest(), None)
    return facts, (b"".join(raw_parts) if raw_parts is not None else None)


def _check_declared(source: EncodedSource, limits: Limits, element: str) -> None:
    """Refuse from the text length alone, before decoding a byte (5 % slack for line breaks)."""
    estimate = source.length * 3 // 4
    if estimate > limits.max_attachment_bytes * 21 // 20 + 65536:
        raise EdxmlError(
            "EDXML_TOO_LARGE",
            f"Nội dung base64 trong <{element}> dài {source.length} ký tự, tương ứng khoảng "
            f"{estimate} byte, vượt giới hạn {limits.max_attachment_bytes} byte mỗi tệp",
            element=element,
        )


def _without_char_refs(source: EncodedSource, element: str) -> EncodedSource:
    """Some serializers escape line breaks as `&#13;`; only those references are allowed."""
    if source.buffer.find(b"&", source.start, source.end) < 0:
        return source
    text = _CHAR_REF.sub(b"", source.buffer[source.start : source.end])
    if b"&" in text:
        raise EdxmlError(
            "EDXML_BAD_BASE64",
            f"Nội dung base64 trong <{element}> chứa tham chiếu thực thể không được phép",
            element=element,
        )
    return EncodedSource(text, 0, len(text))


def _iter_base64(source: EncodedSource, element: str) -> Iterator[bytes]:
    carry = b""
    padded = False
    pos = source.start
    while pos < source.end:
        stop = min(pos + _CHUNK, source.end)
        piece = source.buffer[pos:stop]
        if b"\n" in piece or b" " in piece or b"\r" in piece or b"\t" in piece:
            piece = piece.translate(None, _WS)
        if carry:
            piece = carry + piece
        pos = stop
        usable = len(piece) - len(piece) % 4
        carry = piece[usable:]
        if not usable:
            continue
        if padded:
            raise _bad_base64(element, "có dữ liệu sau ký tự đệm '='")
        try:
            decoded = b64.decode_strict(piece[:usable])
        except binascii.Error as exc:
            raise _bad_base64(element, str(exc)) from None
        padded = piece[usable - 1 : usable] == b"="
        yield decoded
    if carry:
        raise _bad_base64(element, f"bị cắt cụt ({len(carry)} ký tự thừa, độ dài không chia hết cho 4)")


def _bad_base64(element: str, why: str) -> EdxmlError:
    return EdxmlError("EDXML_BAD_BASE64", f"Nội dung base64 trong <{element}> hỏng: {why}",
                      element=element)


def _too_large(element: str, limits: Limits) -> EdxmlError:
    return EdxmlError(
        "EDXML_TOO_LARGE",
        f"Tệp trong <{element}> vượt giới hạn {limits.max_attachment_bytes} byte",
        element=element,
    )


class _NotOurZipError(Exception):
    """The bytes start like a zip but are not a one-entry wrapper we can stream: keep them plain."""


class _ZipStream:
    """Inflate the first entry of a zip as its bytes arrive; learn whether it is the only one."""

    def __init__(self, limits: Limits, compressed_estimate: int, element: str) -> None:
        self.limits = limits
        self._ratio = ZipLimits(max_ratio=limits.max_zip_ratio, ratio_floor=limits.zip_ratio_floor)
        self.estimate = max(compressed_estimate, 1)
        self.element = element
        self.active = True
        self.name: str | None = None
        self._head = b""
        self._state = "header"
        self._flags = 0
        self._crc_declared = 0
        self._stored_left = 0
        self._inflater: zlib._Decompress | None = None
        self._crc = 0
        self._produced = 0
        self._trailer = b""

    def feed(self, chunk: bytes) -> Iterator[bytes]:
        try:
            yield from self._feed(chunk)
        except _NotOurZipError:
            self.active = False

    def finish(self) -> bool:
        """True when the payload was exactly one zip entry, inflated and checked."""
        if not self.active:
            return False
        if self._state != "trailer":
            if self._state == "header":
                return False
            raise self._bad("dữ liệu nén bị cắt cụt")
        trailer = self._trailer
        crc = self._crc_declared
        if self._flags & 0x08:
            if trailer[:4] == _DESCRIPTOR:
                trailer = trailer[4:]
            if len(trailer) < 12:
                raise self._bad("thiếu bản ghi mô tả dữ liệu (data descriptor)")
            crc = struct.unpack("<I", trailer[:4])[0]
            trailer = trailer[12:] if trailer[12:16] in {_CENTRAL, _LOCAL, _END} else trailer[20:]
        if trailer[:4] == _LOCAL:
            return False  # several entries: the file itself is a zip, sent plain
        if trailer[:4] not in {_CENTRAL, _END}:
            raise self._bad("thiếu thư mục trung tâm (central directory)")
        if crc != self._crc & 0xFFFFFFFF:
            raise self._bad("sai mã kiểm tra CRC-32")
        return True

    def _feed(self, chunk: bytes) -> Iterator[bytes]:
        if self._state == "header":
            self._head += chunk
            if len(self._head) < 30:
                return
            (_, _, flags, method, _, _, crc, csize, usize, nlen, elen) = struct.unpack(
                "<4sHHHHHIIIHH", self._head[:30]
            )
            if len(self._head) < 30 + nlen + elen:
                return
            raw_name = self._head[30 : 30 + nlen]
            self.name = raw_name.decode("utf-8" if flags & 0x800 else "cp437", "replace")
            if flags & 0x01 or method not in (0, 8) or (method == 0 and flags & 0x08):
                raise _NotOurZipError
            if not flags & 0x08 and usize != 0xFFFFFFFF and usize > self.limits.max_attachment_bytes:
                raise EdxmlError(
                    "EDXML_TOO_LARGE",
                    f"Tệp nén trong <{self.element}> khai báo {usize} byte sau giải nén, vượt giới "
                    f"hạn {self.limits.max_attachment_bytes} byte",
                    element=self.element,
                )
            self._flags = flags
            self._crc_declared = crc
            if method == 8:
                self._inflater = zlib.decompressobj(-15)
            else:
                self._stored_left = csize
            rest = self._head[30 + nlen + elen :]
            self._head = b""
            self._state = "data"
            chunk = rest
        if self._state == "data":
            yield from self._data(chunk)
        elif len(self._trailer) < 64:
            self._trailer += chunk[: 64 - len(self._trailer)]

    def _data(self, chunk: bytes) -> Iterator[bytes]:
        if self._inflater is None:
            take = chunk[: self._stored_left]
            self._stored_left -= len(take)
            if take:
                yield self._count(take)
            if self._stored_left == 0:
                self._state = "trailer"
                self._trailer = chunk[len(take) :][:64]
            return
        inflater = self._inflater
        data = chunk
        while True:
            try:
                out = inflater.decompress(data, _OUT)
            except zlib.error as exc:
                raise self._bad(f"luồng deflate hỏng ({exc})") from None
            data = inflater.unconsumed_tail
            if out:
                yield self._count(out)
            if inflater.eof:
                self._state = "trailer"
                self._trailer = inflater.unused_data[:64]
                return
            if not data and len(out) < _OUT:
                return

    def _count(self, out: bytes) -> bytes:
        self._produced += len(out)
        self._crc = zlib.crc32(out, self._crc)
        limits = self.limits
        if self._produced > limits.max_attachment_bytes:
            raise _too_large(self.element, limits)
        if ratio_exceeded(self._produced, self.estimate, self._ratio):
            raise EdxmlError(
                "EDXML_ZIP_BOMB",
                f"Tệp nén trong <{self.element}> giải nén ra hơn {self._produced} byte từ khoảng "
                f"{self.estimate} byte, vượt tỷ lệ {limits.max_zip_ratio}:1",
                element=self.element,
            )
        return out

    def _bad(self, why: str) -> EdxmlError:
        return EdxmlError("EDXML_BAD_ZIP", f"Nội dung nén trong <{self.element}> hỏng: {why}",
                          element=self.element)
