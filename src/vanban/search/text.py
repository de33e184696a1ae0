"""How text becomes index terms, the same way on both databases.

Both columns are tokenised here, in Python, so SQLite FTS5 and PostgreSQL see identical
words: `exact` keeps the marks (lower-cased), `folded` drops them (đ → d, which neither
FTS5 nor unaccent does). Tokens are runs of letters and digits; everything else separates.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

from vanban.core.text import fold, nfc

__all__ = ["MAX_TERMS", "ParsedQuery", "Term", "fold_aligned", "parse_query", "tokens", "tokens_text"]

MAX_QUERY_CHARS = 300
MAX_TERMS = 16
_SEPARATORS = re.compile(r"[\W_]+")
_QUOTED = re.compile(r'"([^"]*)"')
_CODE_CHARS = re.compile(r"[/.\-]")


def tokens(text: str) -> list[str]:
    """Lower-case words of `text` (NFC), marks kept: '12/QĐ-UBND' → ['12', 'qđ', 'ubnd']."""
    return [t for t in _SEPARATORS.split(nfc(text).casefold()) if t]


def tokens_text(text: str) -> str:
    return " ".join(tokens(text))


@dataclass(frozen=True)
class Term:
    """One word or phrase of a query; `column` is where it must match."""

    words: tuple[str, ...]
    column: str  # "exact" when the user typed marks, else "folded"

    @property
    def folded(self) -> tuple[str, ...]:
        return tuple(fold(w) for w in self.words)


@dataclass(frozen=True)
class ParsedQuery:
    terms: tuple[Term, ...]
    code: str  # lower-cased notation/identifier-like input ('12/qđ-ubnd'), else ''

    @property
    def empty(self) -> bool:
        return not self.terms and not self.code

    def folded_words(self) -> list[str]:
        return [w for t in self.terms for w in t.folded]


def _term(raw: str) -> Term | None:
    words = tuple(tokens(raw))
    if not words:
        return None
    has_marks = any(fold(w) != w for w in words)
    return Term(words, "exact" if has_marks else "folded")


def parse_query(text: str) -> ParsedQuery:
    """Words and "quoted phrases"; a word written with marks must match with those marks
    ('Quyết' finds only 'Quyết'), a word without marks matches either ('quyet' finds both).
    A word made of several tokens ('QĐ-UBND') is a phrase."""
    text = nfc(text or "")[:MAX_QUERY_CHARS].strip()
    terms: list[Term] = []
    for phrase in _QUOTED.findall(text):
        if term := _term(phrase):
            terms.append(term)
    rest = _QUOTED.sub(" ", text).replace('"', " ")
    for word in rest.split():
        if term := _term(word):
            terms.append(term)
    code = ""
    if (" " not in text and any(ch.isdigit() for ch in text) and _CODE_CHARS.search(text)
            and not set(text) & set("%_\\")):
        code = text.casefold()
    return ParsedQuery(tuple(terms[:MAX_TERMS]), code)


@functools.lru_cache(maxsize=4096)
def _fold_char(ch: str) -> str:  # a body of 100 000 characters has a few dozen distinct ones
    if ch in "đĐ":
        return "d"
    base = "".join(c for c in unicodedata.normalize("NFD", ch) if not unicodedata.combining(c))
    low = base.casefold()
    return low if len(low) == 1 else ch.casefold()[:1] or " "


def fold_aligned(text: str) -> str:
    """`fold` one character for one character, so a position found in the folded text is the
    same position in the original (for snippets)."""
    return "".join(_fold_char(ch) for ch in text)
