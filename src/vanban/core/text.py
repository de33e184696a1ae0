"""Vietnamese text: NFC normalisation (TCVN 6909:2001 is Unicode) and diacritics folding."""

from __future__ import annotations

import unicodedata

__all__ = ["fold", "nfc"]

_EXTRA = str.maketrans({"đ": "d", "Đ": "D"})


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def fold(text: str) -> str:
    """Lower-case, strip tone and vowel marks, đ → d: 'Quyết định' → 'quyet dinh'.

    Used for search on both databases: SQLite's FTS5 and unaccent never fold đ.
    """
    decomposed = unicodedata.normalize("NFD", text.translate(_EXTRA))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.casefold().split())
