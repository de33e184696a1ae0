"""A unit's code from its name, for units that came without one (free-text units before
units existed, an import row with no code): "Phòng Tổ chức cán bộ" → "TCCB", "Văn phòng" → "VP"."""

from __future__ import annotations

import re

from vanban.core.text import fold

_KIND_WORDS = ("phong ", "ban ", "trung tam ", "chi cuc ", "don vi ")


def code_from_name(name: str) -> str:
    folded = fold(name).strip()
    if folded in ("van phong", ""):
        return "VP" if folded else "DV"
    for word in _KIND_WORDS:
        if folded.startswith(word) and len(folded) > len(word):
            folded = folded[len(word):]
            break
    letters = "".join(w[0] for w in re.findall(r"[a-z0-9]+", folded))
    return (letters.upper() or "DV")[:16]


def unique_code(base: str, taken: set[str]) -> str:
    """`base`, or `base-2`, `base-3`… — the first not in `taken` (which it then joins)."""
    code, n = base, 1
    while code in taken:
        n += 1
        code = f"{base}-{n}"
    taken.add(code)
    return code
