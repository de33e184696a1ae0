"""Legacy Vietnamese encodings (TCVN3/ABC, VNI, VIQR) to NFC Unicode, and back for tests.

TCVN 6909:2001 (Unicode) is the required encoding, but many documents still arrive typed
in TCVN3 (`.VnTime`, `.VnArial`, … and the all-capitals `.VnTimeH` fonts) or in VNI
(`VNI-Times`, `VNI-Helve`, …). Word stores such text as the Latin-1 characters of the font's
bytes, which read as garbage ("Céng hoµ x· héi chñ nghÜa") once the font is missing.

No maintained library covers this, so the tables live here:

- TCVN3 is TCVN 5712:1993 "VN3": lower-case letters with tones at 0xB5–0xFE, the letters
  Ă Â Ê Ô Ơ Ư Đ / ă â ê ô ơ ư đ at 0xA1–0xAE and the few capitals with tones that VN1 puts
  in the gaps (0xAF, 0xBA, 0xBF–0xC5, 0xCD, 0xD9–0xDB, 0xE0, 0xF0, 0xFF). Bytes 0x80–0x9F are
  left alone: in ABC fonts they are the ordinary Windows punctuation. The `…H` fonts draw
  the lower-case positions as capitals, so their text is decoded then upper-cased.
- VNI (Windows) writes a base letter followed by a mark byte (`a` + `ù` = á, `e` + `ä` = ệ),
  with single bytes for đ, ơ, ư, the i-vowels and ỵ.
- VIQR (RFC 1456) writes marks as ASCII after the vowel: `Vie^.t Nam`, `dd` for đ.

Conversion is applied only on evidence (`detect_legacy`): a legacy font name, or text whose
words become valid Vietnamese syllables once decoded. Text that is already Unicode
Vietnamese is never touched.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Literal

__all__ = [
    "ENCODINGS",
    "LegacyEncodeError",
    "LegacyGuess",
    "all_vietnamese_letters",
    "convert",
    "decode",
    "decode_runs",
    "detect_legacy",
    "encode",
    "encode_runs",
    "encoding_for_font",
    "is_valid_syllable",
]

Encoding = Literal["tcvn3", "tcvn3h", "vni", "viqr"]
ENCODINGS: tuple[str, ...] = ("tcvn3", "tcvn3h", "vni", "viqr")

# Combining marks of the five tones, in the order used below: sắc, huyền, hỏi, ngã, nặng.
_ACUTE, _GRAVE, _HOOK, _TILDE, _DOT = "\u0301", "\u0300", "\u0309", "\u0303", "\u0323"
TONES: tuple[str, ...] = ("", _ACUTE, _GRAVE, _HOOK, _TILDE, _DOT)
_TONE_SET = frozenset(TONES[1:])
# Vowels carrying a modifier: â ê ô (circumflex), ă (breve), ơ ư (horn).
_CIRC, _BREVE, _HORN = "\u0302", "\u0306", "\u031b"
BASE_VOWELS: tuple[str, ...] = ("a", "ă", "â", "e", "ê", "i", "o", "ô", "ơ", "u", "ư", "y")


def all_vietnamese_letters() -> list[str]:
    """Every Vietnamese letter with every tone, lower and upper case, plus đ/Đ (NFC)."""
    out: list[str] = []
    for base in BASE_VOWELS:
        for tone in TONES:
            low = unicodedata.normalize("NFC", base + tone)
            out.extend((low, low.upper()))
    out.extend(("đ", "Đ"))
    return out


# --------------------------------------------------------------------------- TCVN3 (VN3)
# byte -> Unicode (NFC or a combining mark), from TCVN 5712:1993 (VN1 table, VN3 range).
_TCVN3_BYTES: dict[int, str] = {
    0xA1: "Ă", 0xA2: "Â", 0xA3: "Ê", 0xA4: "Ô", 0xA5: "Ơ", 0xA6: "Ư", 0xA7: "Đ",
    0xA8: "ă", 0xA9: "â", 0xAA: "ê", 0xAB: "ô", 0xAC: "ơ", 0xAD: "ư", 0xAE: "đ", 0xAF: "Ằ",
    0xB0: _GRAVE, 0xB1: _HOOK, 0xB2: _TILDE, 0xB3: _ACUTE, 0xB4: _DOT,
    0xB5: "à", 0xB6: "ả", 0xB7: "ã", 0xB8: "á", 0xB9: "ạ", 0xBA: "Ẳ", 0xBB: "ằ", 0xBC: "ẳ",
    0xBD: "ẵ", 0xBE: "ắ", 0xBF: "Ẵ",
    0xC0: "Ắ", 0xC1: "Ầ", 0xC2: "Ẩ", 0xC3: "Ẫ", 0xC4: "Ấ", 0xC5: "Ề", 0xC6: "ặ", 0xC7: "ầ",
    0xC8: "ẩ", 0xC9: "ẫ", 0xCA: "ấ", 0xCB: "ậ", 0xCC: "è", 0xCD: "Ể", 0xCE: "ẻ", 0xCF: "ẽ",
    0xD0: "é", 0xD1: "ẹ", 0xD2: "ề", 0xD3: "ể", 0xD4: "ễ", 0xD5: "ế", 0xD6: "ệ", 0xD7: "ì",
    0xD8: "ỉ", 0xD9: "Ễ", 0xDA: "Ế", 0xDB: "Ồ", 0xDC: "ĩ", 0xDD: "í", 0xDE: "ị", 0xDF: "ò",
    0xE0: "Ổ", 0xE1: "ỏ", 0xE2: "õ", 0xE3: "ó", 0xE4: "ọ", 0xE5: "ồ", 0xE6: "ổ", 0xE7: "ỗ",
    0xE8: "ố", 0xE9: "ộ", 0xEA: "ờ", 0xEB: "ở", 0xEC: "ỡ", 0xED: "ớ", 0xEE: "ợ", 0xEF: "ù",
    0xF0: "Ỗ", 0xF1: "ủ", 0xF2: "ũ", 0xF3: "ú", 0xF4: "ụ", 0xF5: "ừ", 0xF6: "ử", 0xF7: "ữ",
    0xF8: "ứ", 0xF9: "ự", 0xFA: "ỳ", 0xFB: "ỷ", 0xFC: "ỹ", 0xFD: "ý", 0xFE: "ỵ", 0xFF: "Ố",
}
# Bytes 0xA1–0xFF are the same characters in Windows-1252 and Latin-1, so the character
# Word stores for a byte is chr(byte).
_TCVN3_DECODE: dict[int, str] = dict(_TCVN3_BYTES)
_TCVN3_ENCODE: dict[str, str] = {char: chr(byte) for byte, char in _TCVN3_BYTES.items()
                                 if not unicodedata.combining(char)}

# ----------------------------------------------------------------------------- VNI
_VNI_SINGLE: dict[str, str] = {
    "ñ": "đ", "Ñ": "Đ", "ô": "ơ", "Ô": "Ơ", "ö": "ư", "Ö": "Ư",
    "ì": "ì", "Ì": "Ì", "í": "í", "Í": "Í", "æ": "ỉ", "Æ": "Ỉ", "ó": "ĩ", "Ó": "Ĩ",
    "ò": "ị", "Ò": "Ị", "î": "ỵ", "Î": "Ỵ",
}
# mark byte -> (modifier, tone); lower- and upper-case forms.
_VNI_MARKS: dict[str, tuple[str, str]] = {}
for _low, _up, _mod, _tone in (
    ("ù", "Ù", "", _ACUTE), ("ø", "Ø", "", _GRAVE), ("û", "Û", "", _HOOK),
    ("õ", "Õ", "", _TILDE), ("ï", "Ï", "", _DOT),
    ("â", "Â", _CIRC, ""), ("á", "Á", _CIRC, _ACUTE), ("à", "À", _CIRC, _GRAVE),
    ("å", "Å", _CIRC, _HOOK), ("ã", "Ã", _CIRC, _TILDE), ("ä", "Ä", _CIRC, _DOT),
    ("ê", "Ê", _BREVE, ""), ("é", "É", _BREVE, _ACUTE), ("è", "È", _BREVE, _GRAVE),
    ("ú", "Ú", _BREVE, _HOOK), ("ü", "Ü", _BREVE, _TILDE), ("ë", "Ë", _BREVE, _DOT),
):
    _VNI_MARKS[_low] = _VNI_MARKS[_up] = (_mod, _tone)
_VNI_MARK_FOR: dict[tuple[str, str], str] = {}
for _ch, (_mod, _tone) in _VNI_MARKS.items():
    if _ch.islower():
        _VNI_MARK_FOR[(_mod, _tone)] = _ch
# Which modifier a plain base letter may take.
_MOD_BASES: dict[str, frozenset[str]] = {
    "": frozenset("aeiouyAEIOUYơưƠƯ"), _CIRC: frozenset("aeoAEO"), _BREVE: frozenset("aA"),
    _HORN: frozenset("ouOU"),
}
_VNI_ENCODE_SINGLE: dict[str, str] = {v: k for k, v in _VNI_SINGLE.items()}

# ----------------------------------------------------------------------------- VIQR
_VIQR_TONE = {"'": _ACUTE, "`": _GRAVE, "?": _HOOK, "~": _TILDE, ".": _DOT}
_VIQR_MOD = {"^": _CIRC, "(": _BREVE, "+": _HORN}
_VIQR_TONE_FOR = {v: k for k, v in _VIQR_TONE.items()}
_VIQR_MOD_FOR = {v: k for k, v in _VIQR_MOD.items()}
_VOWEL_ASCII = frozenset("aeiouyAEIOUY")


class LegacyEncodeError(ValueError):
    """A character cannot be written in the requested legacy encoding (tests, exports)."""


@dataclass(frozen=True)
class LegacyGuess:
    """What `detect_legacy` concluded: an encoding (or None), how sure, and why."""

    encoding: str | None
    confidence: float
    evidence: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        """Vietnamese notice for the clerk, e.g. 'đã chuyển mã từ TCVN3'."""
        if self.encoding is None:
            return ""
        names = {"tcvn3": "TCVN3", "tcvn3h": "TCVN3", "vni": "VNI", "viqr": "VIQR"}
        return f"đã chuyển mã từ {names[self.encoding]}"


# ---------------------------------------------------------------------------- decoding
def _split(letter: str) -> tuple[str, str, str]:
    """NFC letter -> (ASCII base, modifier, tone); đ stays whole."""
    if letter in ("đ", "Đ"):
        return letter, "", ""
    parts = unicodedata.normalize("NFD", letter)
    base, mod, tone = parts[0], "", ""
    for mark in parts[1:]:
        if mark in _TONE_SET:
            tone = mark
        else:
            mod = mark
    return base, mod, tone


def _compose(base: str, mod: str, tone: str) -> str:
    return unicodedata.normalize("NFC", base + mod + tone)


def _decode_tcvn3(text: str) -> str:
    return unicodedata.normalize("NFC", text.translate(_TCVN3_DECODE))


def _decode_vni(text: str) -> str:
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        base = _VNI_SINGLE.get(ch, ch)
        nxt = text[i + 1] if i + 1 < n else ""
        if nxt in _VNI_MARKS and base not in ("đ", "Đ"):
            mod, tone = _VNI_MARKS[nxt]
            core_base, core_mod, core_tone = _split(base)
            if not core_tone and (
                (mod and not core_mod and core_base in _MOD_BASES[mod])
                or (not mod and (core_base in _MOD_BASES[""] or core_mod) and not core_tone)
            ):
                out.append(_compose(core_base, mod or core_mod, tone))
                i += 2
                continue
        out.append(base)
        i += 1
    return unicodedata.normalize("NFC", "".join(out))


_VIQR_RE = re.compile(r"\\(.)|([aeiouyAEIOUY])([\^(+])?(['`?~.])?|([dD])([dD])")


def _decode_viqr(text: str) -> str:
    def repl(m: re.Match[str]) -> str:
        if m.group(1) is not None:
            return m.group(1)
        if m.group(5) is not None:
            return "Đ" if m.group(5) == "D" else "đ"
        base, mod_c, tone_c = m.group(2), m.group(3), m.group(4)
        mod = _VIQR_MOD.get(mod_c or "", "")
        if mod and base not in _MOD_BASES[mod]:
            return m.group(0)
        return _compose(base, mod, _VIQR_TONE.get(tone_c or "", ""))

    return unicodedata.normalize("NFC", _VIQR_RE.sub(repl, text))


def decode(text: str, encoding: str) -> str:
    """Legacy text (as Word or a PDF stores it) -> NFC Unicode. Plain ASCII passes through."""
    if encoding == "tcvn3":
        return _decode_tcvn3(text)
    if encoding == "tcvn3h":
        return _decode_tcvn3(text).upper()
    if encoding == "vni":
        return _decode_vni(text)
    if encoding == "viqr":
        return _decode_viqr(text)
    raise ValueError(f"unknown legacy encoding {encoding!r}")


def decode_runs(runs: list[tuple[str, str | None]]) -> str:
    """Decode (text, encoding-or-None) runs, e.g. from a docx paragraph."""
    return "".join(decode(t, enc) if enc else t for t, enc in runs)


# ---------------------------------------------------------------------------- encoding
def _encode_tcvn3_char(ch: str, upper_font: bool) -> str:
    if upper_font:
        low = ch.lower()
        if low in _TCVN3_ENCODE:
            return _TCVN3_ENCODE[low]
        if low.isascii():
            return ch
        raise LegacyEncodeError(f"{ch!r} không viết được bằng TCVN3")
    if ch in _TCVN3_ENCODE:
        return _TCVN3_ENCODE[ch]
    if ch.isascii():
        return ch
    raise LegacyEncodeError(f"{ch!r} không viết được bằng TCVN3 (cần phông chữ hoa …H)")


def _encode_vni_char(ch: str) -> str:
    if ch in _VNI_ENCODE_SINGLE:
        return _VNI_ENCODE_SINGLE[ch]
    if ch.isascii():
        return ch
    base, mod, tone = _split(ch)
    if base in ("đ", "Đ") or base not in _VOWEL_ASCII:
        raise LegacyEncodeError(f"{ch!r} không viết được bằng VNI")
    prefix = base
    if mod == _HORN:  # ơ, ư are single bytes; the tone follows as a mark.
        prefix = _VNI_ENCODE_SINGLE[unicodedata.normalize("NFC", base + _HORN)]
        mod = ""
    mark = _VNI_MARK_FOR.get((mod, tone))
    if mark is None:
        raise LegacyEncodeError(f"{ch!r} không viết được bằng VNI")
    return prefix + (mark.upper() if base.isupper() else mark)


def _encode_viqr_char(ch: str) -> str:
    if ch in ("đ", "Đ"):
        return "dd" if ch == "đ" else "DD"
    if ch.isascii():
        return ch
    base, mod, tone = _split(ch)
    if base not in _VOWEL_ASCII:
        raise LegacyEncodeError(f"{ch!r} không viết được bằng VIQR")
    return base + _VIQR_MOD_FOR.get(mod, "") + _VIQR_TONE_FOR.get(tone, "")


_VIQR_SPECIAL = frozenset("'`?~.^(+\\")


def encode(text: str, encoding: str) -> str:
    """NFC Unicode -> legacy text; raises LegacyEncodeError for characters it cannot write.

    For tests and for making sample legacy documents. `tcvn3h` writes an all-capitals
    run the way the `.VnTimeH` fonts expect (lower-case codes).
    """
    text = unicodedata.normalize("NFC", text)
    if encoding == "tcvn3":
        return "".join(_encode_tcvn3_char(c, False) for c in text)
    if encoding == "tcvn3h":
        return "".join(_encode_tcvn3_char(c, True) for c in text)
    if encoding == "vni":
        return "".join(_encode_vni_char(c) for c in text)
    if encoding == "viqr":
        out: list[str] = []
        prev_vowel_end = False
        for i, c in enumerate(text):
            if c == "\\" or (c in _VIQR_SPECIAL and prev_vowel_end):
                out.append("\\" + c)
                prev_vowel_end = False
                continue
            if c in ("d", "D") and i + 1 < len(text) and text[i + 1] in ("d", "D", "đ", "Đ"):
                # a literal d before anything written with a d ("dd" is đ): escape it
                out.append("\\" + c)
                prev_vowel_end = False
                continue
            enc = _encode_viqr_char(c)
            out.append(enc)
            prev_vowel_end = enc[-1] in _VOWEL_ASCII or enc[-1] in _VIQR_SPECIAL
        return "".join(out)
    raise ValueError(f"unknown legacy encoding {encoding!r}")


def encode_runs(text: str) -> list[tuple[str, str]]:
    """NFC Unicode -> TCVN3 runs [(text, 'tcvn3' | 'tcvn3h')], capitals in `…H` runs.

    A `.VnTime` font has no capitals with most tones, so a real document switches to
    `.VnTimeH` for them; this does the same, one run per change of font.
    """
    runs: list[tuple[str, str]] = []
    for ch in unicodedata.normalize("NFC", text):
        enc = "tcvn3" if (ch in _TCVN3_ENCODE or ch.isascii()) else "tcvn3h"
        code = _encode_tcvn3_char(ch, enc == "tcvn3h")
        if runs and runs[-1][1] == enc:
            runs[-1] = (runs[-1][0] + code, enc)
        else:
            runs.append((code, enc))
    return runs


# ---------------------------------------------------------------------------- fonts
_SUBSET_PREFIX = re.compile(r"^[A-Z]{6}\+")
_STYLE_SUFFIX = re.compile(r"[,-](bold|italic|bolditalic|oblique|regular|b|i|bi)$", re.IGNORECASE)
# ".VnTime", ".VNTIMEH", or without the dot as some PDF writers drop it: "VnTime".
_TCVN3_FONT = re.compile(r"^(?:\.[Vv][Nn][A-Za-z]|Vn[A-Z])")
# "VNI-Times", "VNI-Helve", "VNI Times", "VNI_Aptima".
_VNI_FONT = re.compile(r"^vni[-_ ][a-z]", re.IGNORECASE)


def _clean_font(name: str) -> str:
    name = _SUBSET_PREFIX.sub("", name.strip().lstrip("/"))
    previous = None
    while previous != name:
        previous = name
        name = _STYLE_SUFFIX.sub("", name).strip()
    return name


def encoding_for_font(name: str | None) -> str | None:
    """'tcvn3' / 'tcvn3h' / 'vni' for a legacy font name ('.VnTimeH', 'VNI-Times'), else None."""
    if not name:
        return None
    clean = _clean_font(name)
    if _VNI_FONT.match(clean):
        return "vni"
    if _TCVN3_FONT.match(clean):
        # The capitals fonts end in an upper-case H: .VnTimeH, .VnArialH, .VnBlackH.
        return "tcvn3h" if clean.rstrip().endswith("H") else "tcvn3"
    return None


# ---------------------------------------------------------------------------- syllables
_INITIALS = ("ngh", "ng", "nh", "ch", "gh", "gi", "kh", "ph", "qu", "th", "tr",
             "b", "c", "d", "đ", "g", "h", "k", "l", "m", "n", "p", "q", "r", "s", "t", "v", "x", "")
_NUCLEI_OPEN = frozenset((
    "a", "ă", "â", "e", "ê", "i", "o", "ô", "ơ", "u", "ư", "y",
    "ai", "ao", "au", "ay", "âu", "ây", "eo", "êu", "ia", "iu", "oa", "oe", "oi", "ôi", "ơi",
    "ua", "ui", "uy", "ưa", "ưi", "ưu", "ya", "iêu", "yêu", "oai", "oao", "oay", "oeo",
    "uây", "uôi", "ươi", "ươu", "uya", "uyu", "uơ", "uê", "ue", "uâ",
))
_NUCLEI_CLOSED = frozenset((
    "a", "ă", "â", "e", "ê", "i", "o", "ô", "ơ", "u", "ư", "y",
    "iê", "yê", "oa", "oă", "oe", "uâ", "uê", "uô", "ươ", "uy", "uyê", "oo",
))
_FINALS = ("ch", "ng", "nh", "c", "m", "n", "p", "t")
_SYLLABLE_CHARS = re.compile(r"^[a-zđăâêôơư]+$")


def is_valid_syllable(word: str) -> bool:
    """Whether a word has the shape of a Vietnamese syllable (one tone at most).

    Used to decide that decoding made text more Vietnamese, not to spell-check.
    """
    low = unicodedata.normalize("NFD", word.lower())
    tones = sum(1 for c in low if c in _TONE_SET)
    if tones > 1:
        return False
    bare = unicodedata.normalize("NFC", "".join(c for c in low if c not in _TONE_SET))
    if not bare or len(bare) > 7 or not _SYLLABLE_CHARS.match(bare):
        return False
    for initial in _INITIALS:
        if not bare.startswith(initial):
            continue
        rest = bare[len(initial):]
        if not rest and initial == "gi":
            return True
        if rest in _NUCLEI_OPEN:
            return True
        for final in _FINALS:
            if rest.endswith(final) and rest[: -len(final)] in _NUCLEI_CLOSED:
                return True
    return False


# ---------------------------------------------------------------------------- detection
_UNICODE_ONLY = frozenset(
    ch for ch in all_vietnamese_letters() if ord(ch) > 0xFF
)
_LATIN1_VIETNAMESE = frozenset(ch for ch in all_vietnamese_letters() if 0x7F < ord(ch) <= 0xFF)
_LEAD = "\"“”‘’'([{<«"
_TRAIL = ",;:!\"”’)]}>»"
_TCVN3_SIGNATURE = frozenset(chr(b) for b in _TCVN3_BYTES) - _LATIN1_VIETNAMESE
_VNI_SIGNATURE = (frozenset(_VNI_MARKS) | frozenset(_VNI_SINGLE)) - _LATIN1_VIETNAMESE
_VIQR_HINT = re.compile(r"[aeiouyAEIOUY][\^(+]?['`?~.^(+][a-zA-Z]|\b[dD][dD][aeiouyAEIOUY]")


def _words(text: str, encoding: str) -> list[str]:
    """Whitespace words without surrounding punctuation (a VIQR word keeps its marks)."""
    trail = _TRAIL if encoding == "viqr" else _TRAIL + ".?"
    words = []
    for token in text.split():
        word = token.lstrip(_LEAD).rstrip(trail)
        if word:
            words.append(word)
    return words


def _gain(text: str, encoding: str) -> tuple[int, int, int]:
    """(words changed by decoding, valid before, valid after), counted over changed words."""
    changed = before = after = 0
    for word in _words(text, encoding):
        dec = decode(word, encoding)
        if dec == word:
            continue
        changed += 1
        before += is_valid_syllable(word)
        after += is_valid_syllable(dec)
    return changed, before, after


def detect_legacy(text: str, fonts: set[str] | frozenset[str] | list[str] | None = None) -> LegacyGuess:
    """Is `text` (with the document's font names) legacy TCVN3/VNI/VIQR, and which?

    Evidence is a legacy font name or characters typical of an encoding; the decision is
    made by decoding and checking that words turn into valid Vietnamese syllables. Text
    that already has Unicode-only Vietnamese letters (ạ, ư, đ, …) in the majority is
    reported as Unicode and never converted.
    """
    evidence: list[str] = []
    font_encodings: dict[str, list[str]] = {}
    for name in sorted(fonts or ()):
        enc = encoding_for_font(name)
        if enc:
            family = "tcvn3" if enc.startswith("tcvn3") else enc
            font_encodings.setdefault(family, []).append(name)
    for family, names in font_encodings.items():
        evidence.append(f"phông chữ {family.upper()}: {', '.join(names[:5])}")

    unicode_only = sum(1 for c in text if c in _UNICODE_ONLY)
    tcvn3_sig = sum(1 for c in text if c in _TCVN3_SIGNATURE)
    vni_sig = sum(1 for c in text if c in _VNI_SIGNATURE)
    if unicode_only and unicode_only >= max(tcvn3_sig, vni_sig):
        evidence.append(f"đã là Unicode ({unicode_only} chữ chỉ có trong Unicode)")
        return LegacyGuess(None, 0.0, evidence)

    candidates: list[tuple[float, str, str]] = []
    viqr_hints = len(_VIQR_HINT.findall(text))
    for enc, signature in (("tcvn3", tcvn3_sig), ("vni", vni_sig), ("viqr", viqr_hints)):
        threshold = 3 if enc == "viqr" else 1
        if signature < threshold and enc not in font_encodings:
            continue
        changed, before, after = _gain(text, enc)
        if changed == 0:
            continue
        valid_ratio = after / changed
        gain_ratio = (after - before) / changed
        if enc in font_encodings:
            score = 0.6 + 0.4 * valid_ratio
        elif changed >= 2 and valid_ratio >= 0.6 and gain_ratio >= 0.3:
            score = min(0.95, 0.3 + 0.4 * valid_ratio + 0.3 * gain_ratio + min(changed, 20) / 100)
        else:
            continue
        candidates.append((score, enc,
                           f"{enc.upper()}: {after}/{changed} từ thành âm tiết tiếng Việt "
                           f"(trước {before}); {signature} ký tự đặc trưng"))
    if not candidates:
        if font_encodings and not text.strip():
            family = next(iter(font_encodings))
            return LegacyGuess(family, 0.5, evidence)
        evidence.append("không thấy dấu hiệu mã cũ")
        return LegacyGuess(None, 0.0, evidence)
    candidates.sort(reverse=True)
    score, enc, why = candidates[0]
    evidence.append(why)
    return LegacyGuess(enc, round(score, 2), evidence)


def convert(text: str, encoding: str, *, smart_caps: bool = True) -> str:
    """Decode a whole text whose fonts are unknown; optionally restore `…H` capitals.

    Without font runs a `.VnTimeH` heading ("CéNG HOµ") decodes to mixed case; a word whose
    ASCII letters are all capitals is upper-cased whole, which is what the font showed.
    """
    if not smart_caps or encoding != "tcvn3":
        return decode(text, encoding)
    pieces = re.split(r"(\s+)", text)
    words = [i for i, p in enumerate(pieces) if p and not p.isspace()]

    def ascii_caps(piece: str) -> int:
        """2: a capitals word (two or more ASCII capitals, none lower), 1: one capital, 0: no."""
        letters = [c for c in piece if c.isascii() and c.isalpha()]
        if not letters or not all(c.isupper() for c in letters):
            return 0
        return 2 if len(letters) >= 2 else 1

    level = {i: ascii_caps(pieces[i]) for i in words}
    out = [decode(p, encoding) for p in pieces]
    for k, i in enumerate(words):
        if out[i] == pieces[i] or level[i] == 0:
            continue
        neighbours = [level[words[j]] for j in (k - 1, k + 1) if 0 <= j < len(words)]
        if level[i] == 2 or 2 in neighbours:
            out[i] = out[i].upper()
    return unicodedata.normalize("NFC", "".join(out))
