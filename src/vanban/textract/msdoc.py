"""Word 97–2003 (.doc), best effort: the main text through the piece table, the font names.

No converter is run (no LibreOffice, no antiword): the text is read from the
WordDocument stream the way [MS-DOC] describes (FIB → Clx → piece table). Fast-saved,
encrypted and pre-97 files are reported as `old_binary` / `encrypted`.
"""

from __future__ import annotations

import io
import re
import struct

from vanban.textract.errors import TextractError
from vanban.textract.limits import Deadline

__all__ = ["read_doc"]

_FIELD = re.compile(r"\x13[^\x13\x14\x15]*\x14?([^\x13\x15]*)\x15")


def read_doc(data: bytes, deadline: Deadline) -> tuple[str, set[str]]:
    import olefile

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
