"""Attachment names made safe to use as file names; the original is kept beside."""

from __future__ import annotations

import re
import unicodedata

from vanban.core.text import nfc

__all__ = ["sanitize_name"]

_UNSAFE = re.compile(r'[\x00-\x1f\x7f-\x9f/\\:*?"<>|]')
_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)),
             *(f"LPT{i}" for i in range(1, 10))}


def sanitize_name(name: str, *, max_chars: int = 255, fallback: str = "tep-dinh-kem") -> str:
    """No path separators, control or format characters, no leading dots, bounded length.

    Why: a name from a foreign package must never escape a directory or hide its extension.
    """
    text = name
    if not text.isascii():  # ASCII has no format or separator characters; _UNSAFE takes Cc
        text = "".join(
            "_" if unicodedata.category(ch) in {"Cf", "Cc", "Zl", "Zp"} else ch for ch in nfc(text)
        )
    text = _UNSAFE.sub("_", text)
    text = text.replace("..", "_")
    text = " ".join(text.split())
    text = text.strip(" .")
    if not text:
        text = fallback
    if text.split(".")[0].upper() in _RESERVED:
        text = "_" + text
    if len(text) > max_chars:
        stem, dot, ext = text.rpartition(".")
        if dot and 0 < len(ext) <= 16:
            text = stem[: max_chars - len(ext) - 1].rstrip(" .") + "." + ext
        else:
            text = text[:max_chars]
    return text
