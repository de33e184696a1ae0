"""Word 97–2003 (.doc), best effort: the main text through the piece table, the font names.

`read_doc` runs no converter: the text is read from the WordDocument stream the way
[MS-DOC] describes (FIB → Clx → piece table); encrypted files are `encrypted`, Word 6/95 and
anything that is not a Word 97 file are `old_binary`. Agencies also send .doc files that are
not Word 97 at all — RTF or "Word HTML" saved under a .doc name, Word 6/95 files — so when
`read_doc` fails with `old_binary`, `doc_to_docx` has LibreOffice headless (when installed)
turn the file into .docx, in the same isolated run as the PDF conversion (`topdf.convert`:
throw-away profile, own process group killed at the time limit, no network where the kernel
allows), and the caller reads that .docx.
"""

from __future__ import annotations

import io
import re
import struct
import time

from vanban.textract import topdf
from vanban.textract.errors import TextractError
from vanban.textract.limits import Deadline

__all__ = ["doc_to_docx", "read_doc"]

LIBREOFFICE_SECONDS = 60.0
_OLE = bytes.fromhex("d0cf11e0a1b11ae1")
_HTML = re.compile(rb"<(?:!doctype\s+html|html|head|meta|body)\b", re.IGNORECASE)

_FIELD = re.compile(r"\x13[^\x13\x14\x15]*\x14?([^\x13\x15]*)\x15")


def read_doc(data: bytes, deadline: Deadline) -> tuple[str, set[str]]:
    import olefile  # noqa: PLC0415 - olefile only for legacy .doc files; keeps textract.extract light

    try:
        ole = olefile.OleFileIO(io.BytesIO(data))
    except Exception as exc:  # olefile raises OSError and others for non-OLE input
        raise TextractError("old_binary", detail="không phải tệp OLE") from exc
    try:
        if not ole.exists("WordDocument"):
            raise TextractError("old_binary", detail="thiếu luồng WordDocument")
        word = ole.openstream("WordDocument").read()
        if len(word) < 0x1AA or struct.unpack_from("<H", word, 0)[0] != 0xA5EC:
            raise TextractError("old_binary", detail="FIB không hợp lệ")
        nfib = struct.unpack_from("<H", word, 2)[0]
        if nfib < 0xC0:  # Word 97 writes 0xC1 and up; Word 6/95 wrote 0x65–0x68, another layout
            raise TextractError("old_binary", detail=f"Word 6/95 (nFib {nfib:#x})")
        flags = struct.unpack_from("<H", word, 0x0A)[0]
        if flags & 0x0100:
            raise TextractError("encrypted")
        table_name = "1Table" if flags & 0x0200 else "0Table"
        if not ole.exists(table_name):
            raise TextractError("old_binary", detail=f"thiếu {table_name}")
        table = ole.openstream(table_name).read()
        deadline.check()
        ccp_text = struct.unpack_from("<i", word, 0x4C)[0]
        fc_clx, lcb_clx = struct.unpack_from("<II", word, 0x1A2)
        text = _piece_text(word, table[fc_clx: fc_clx + lcb_clx], ccp_text, deadline)
        fonts = _font_names(word, table)
    except TextractError:
        raise
    except Exception as exc:  # struct.error, IndexError, olefile errors on broken files
        raise TextractError("old_binary", detail=exc.__class__.__name__) from exc
    finally:
        ole.close()
    return _clean(text), fonts


def doc_to_docx(data: bytes, deadline: Deadline, failure: TextractError, *, max_bytes: int) -> bytes:
    """The .docx LibreOffice makes of a .doc that `read_doc` could not read (`failure`);
    a `TextractError` with a plain Vietnamese message when there is no LibreOffice or it
    cannot read the file either, `timeout` past the caller's deadline."""
    head = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n")
    html = head.startswith(b"<") and bool(_HTML.search(head))
    if not ((data.startswith(_OLE) and _ole_opens(data)) or head.startswith((b"{\\rtf", b"PK\x03\x04", b"<?xml"))
            or html):
        # LibreOffice would import anything else as plain text, garbage included
        raise TextractError("old_binary", "Không đọc được tệp .doc này: tệp hỏng hoặc không phải văn bản Word (cũng "
                                          "không phải RTF hay trang Word HTML lưu dưới tên .doc).",
                            detail=failure.detail)
    if topdf.converter() is None:
        raise TextractError("old_binary", "Không đọc được tệp Word cũ (.doc) này: trình đọc .doc sẵn có không hiểu "
                                          "tệp và máy chủ chưa cài LibreOffice để chuyển đổi.", detail=failure.detail)
    seconds = min(LIBREOFFICE_SECONDS, deadline.end - time.monotonic())
    if seconds < 0.1:
        raise TextractError("timeout", detail="hết thời gian trước khi chuyển .doc bằng LibreOffice")
    infilter = "HTML (StarWriter)" if html else None
    try:
        return topdf.convert("tệp .doc", data, "doc", "docx", timeout=seconds, max_bytes=max_bytes,
                             infilter=infilter)
    except topdf.ConversionError as exc:
        if exc.code == "CONVERSION_TIMEOUT":
            raise TextractError("timeout", detail=f"LibreOffice quá {seconds:.0f} giây") from exc
        if exc.code == "CONVERSION_TOO_LARGE":
            raise TextractError("too_large", detail="bản .docx LibreOffice tạo ra") from exc
        raise TextractError("old_binary", "Không đọc được tệp Word cũ (.doc) này: cả trình đọc .doc sẵn có lẫn "
                                          "LibreOffice đều không đọc được (tệp hỏng hoặc không phải văn bản Word).",
                            detail=f"{failure.detail}; LibreOffice: {exc.code}") from exc


def _ole_opens(data: bytes) -> bool:
    """A broken compound file would be imported by LibreOffice as plain text (garbage)."""
    import olefile  # noqa: PLC0415 - olefile only for legacy .doc files; keeps textract.extract light

    try:
        olefile.OleFileIO(io.BytesIO(data)).close()
    except Exception:  # olefile raises OSError and others for broken input
        return False
    return True


def _piece_text(word: bytes, clx: bytes, ccp_text: int, deadline: Deadline) -> str:
    i = 0
    while i < len(clx) and clx[i] == 0x01:  # Prc blocks
        cb = struct.unpack_from("<H", clx, i + 1)[0]
        i += 3 + cb
    if i >= len(clx) or clx[i] != 0x02:
        raise TextractError("old_binary", detail="không có bảng mảnh văn bản")
    lcb = struct.unpack_from("<I", clx, i + 1)[0]
    plc = clx[i + 5: i + 5 + lcb]
    n = (len(plc) - 4) // 12
    if n <= 0:
        raise TextractError("old_binary", detail="bảng mảnh rỗng")
    cps = struct.unpack_from(f"<{n + 1}i", plc, 0)
    out: list[str] = []
    total = 0
    limit = max(ccp_text, 0) or cps[-1]
    for k in range(n):
        if total >= limit:
            break
        deadline.check()
        fc_raw = struct.unpack_from("<I", plc, 4 * (n + 1) + 8 * k + 2)[0]
        count = max(0, min(cps[k + 1] - cps[k], limit - total))
        if fc_raw & 0x40000000:
            start = (fc_raw & 0x3FFFFFFF) // 2
            out.append(word[start: start + count].decode("cp1252", errors="replace"))
        else:
            start = fc_raw & 0x3FFFFFFF
            out.append(word[start: start + 2 * count].decode("utf-16-le", errors="replace"))
        total += count
    return "".join(out)


def _font_names(word: bytes, table: bytes) -> set[str]:
    """SttbfFfn: each FFN has a 40-byte head then a NUL-terminated UTF-16 name."""
    fonts: set[str] = set()
    try:
        fc, lcb = struct.unpack_from("<II", word, 0x112)
        sttb = table[fc: fc + lcb]
        count = struct.unpack_from("<H", sttb, 0)[0]
        pos = 4
        for _ in range(min(count, 500)):
            cb = sttb[pos] + 1
            raw = sttb[pos + 40: pos + cb]
            name = raw.decode("utf-16-le", errors="ignore").split("\x00", 1)[0]
            if name:
                fonts.add(name)
            pos += cb
    except (struct.error, IndexError):
        pass
    return fonts


def _clean(text: str) -> str:
    text = _FIELD.sub(lambda m: m.group(1), text)
    text = text.replace("\r", "\n").replace("\x07", "\t").replace("\x0b", "\n").replace("\x0c", "\f")
    return "".join(c for c in text if c in "\n\t\f" or ord(c) >= 0x20)
