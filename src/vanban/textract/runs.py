"""Converting runs of text that carry a font name: the per-run side of legacy repair.

A TCVN3/VNI document often mixes fonts (a `.VnTimeH` heading, `.VnTime` body, a Unicode
Times New Roman signature line), so conversion follows each run's font rather than
guessing for the whole text. Consecutive runs in the same encoding are decoded together,
because Word splits runs anywhere and a VNI mark byte may start the next run.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from vanban.core import legacy

__all__ = ["FontRun", "RunPlan", "decode_group", "plan_runs"]


@dataclass
class FontRun:
    """A piece of text and the font that draws it (None when unknown)."""

    text: str
    font: str | None


@dataclass
class RunPlan:
    """Which legacy families to convert, and why (for warnings and the legacy guess)."""

    convert: set[str]
    evidence: list[str]
    skipped: list[str]


_UNICODE_ONLY = frozenset(c for c in legacy.all_vietnamese_letters() if ord(c) > 0xFF)


def _family(encoding: str) -> str:
    return "tcvn3" if encoding.startswith("tcvn3") else encoding


def plan_runs(runs: list[FontRun]) -> RunPlan:
    """Decide per encoding family whether its runs really hold legacy text.

    A document typed in Unicode with a `.VnTime` font left on (it happens) holds
    Unicode-only letters in those runs; such a family is not converted.
    """
    stats: dict[str, list[int]] = {}
    names: dict[str, set[str]] = {}
    for run in runs:
        enc = legacy.encoding_for_font(run.font)
        if not enc:
            continue
        fam = _family(enc)
        st = stats.setdefault(fam, [0, 0])
        names.setdefault(fam, set()).add(run.font or "")
        st[0] += sum(1 for c in run.text if c in _UNICODE_ONLY)
        st[1] += sum(1 for c in run.text if 0xA0 < ord(c) <= 0xFF)
    convert: set[str] = set()
    evidence: list[str] = []
    skipped: list[str] = []
    for fam, (uni, high) in stats.items():
        fonts = ", ".join(sorted(names[fam])[:5])
        if uni > high:
            skipped.append(f"phông {fonts} nhưng chữ đã là Unicode: không chuyển mã")
        else:
            convert.add(fam)
            evidence.append(f"phông chữ {fam.upper()}: {fonts}")
    return RunPlan(convert, evidence, skipped)


def decode_group(texts: list[str], encoding: str) -> list[str]:
    """Decode consecutive pieces in one encoding, keeping each output char in its piece."""
    if encoding in ("tcvn3", "tcvn3h"):
        return [legacy.decode(t, encoding) for t in texts]
    joined = "".join(texts)
    owner: list[int] = []
    for i, t in enumerate(texts):
        owner.extend([i] * len(t))
    out = [""] * len(texts)
    for piece, start in _vni_pieces(joined):
        out[owner[start]] += piece
    return [unicodedata.normalize("NFC", t) for t in out]


def _vni_pieces(text: str) -> list[tuple[str, int]]:
    """VNI decoding of `text` as (output piece, index of its first source char)."""
    pieces: list[tuple[str, int]] = []
    i = 0
    n = len(text)
    while i < n:
        # Try the two-char form first (base + mark), then one char.
        two = text[i:i + 2]
        dec2 = legacy.decode(two, "vni") if len(two) == 2 else ""
        if len(two) == 2 and len(dec2) == 1:
            pieces.append((dec2, i))
            i += 2
            continue
        pieces.append((legacy.decode(text[i], "vni"), i))
        i += 1
    return pieces
