"""Words split by spaces in PDF text ("h ướ ng d ẫ n"), joined again.

Browsers (Chromium's Skia PDF backend, with letter-spacing or justified text) and some
generators write a Vietnamese word as several positioned pieces, cut around the letters
that carry marks; a text extractor that infers spaces from gaps then puts spaces inside
words. This is repaired on evidence: a run of up to four space-separated pieces is joined
when the joined word is a valid Vietnamese syllable and at least one piece cannot be a word
on its own ("h", "ng", "Ngh") or is a lone marked vowel ("ướ", "ẫ"). Whole words are never
joined to each other ("cơ quan" stays apart: both are syllables and neither is a piece).
"""

from __future__ import annotations

import re
import unicodedata

from vanban.core.legacy import is_valid_syllable

__all__ = ["SPLIT_THRESHOLD", "rejoin_split_words", "split_word_share"]

SPLIT_THRESHOLD = 0.04  # share of word pieces above which a text is treated as split

_TOKEN = re.compile(r"\S+")
_LETTERS = re.compile(r"^[^\W\d_]+$")


def _piece(token: str) -> bool:
    """A token that is only part of a word: not a syllable, or a lone vowel with a mark."""
    if not _LETTERS.match(token):
        return False
    if not _syllable(token):
        # the cut leaves consonant runs ("h", "ng", "Ngh"); a longer non-syllable is a foreign
        # word or a name ("Iphone", "Honda", "nylon" in a Word PDF), not a piece
        return len(token) <= 3
    # a lone marked vowel ("ở", "ướ") is what the cut around a mark leaves; "đó", "có", "ôm"
    # are words, and counting them made Word PDFs glue "đó anh" into "đóanh"
    return len(token) <= 2 and all(c in _VOWELS for c in _bare(token)) and any(
        unicodedata.combining(c) for c in unicodedata.normalize("NFD", token))


# Rhymes that the syllable checker lets through but Vietnamese spelling never writes; they
# matter here because a greedy join could take the next word's first letter ("cầnh ướng").
_IMPOSSIBLE = re.compile(r"(?:[âă](?:nh|ch)|ê(?:ng|c)|e(?:nh|ch))$")


def _bare(word: str) -> str:
    low = unicodedata.normalize("NFD", word.lower())
    return unicodedata.normalize("NFC", "".join(c for c in low if c not in "\u0300\u0301\u0303\u0309\u0323"))


def _word(tokens: list[str]) -> bool:
    last = tokens[-1].rstrip(".,;:!?)”\"'")
    pieces = [*tokens[:-1], last]
    if not last or not all(_LETTERS.match(t) for t in pieces):
        return False
    word = "".join(pieces)
    if not (word.islower() or word.isupper() or (word[0].isupper() and word[1:].islower())):
        return False  # "chỦy": a capital inside a word means two words
    if _IMPOSSIBLE.search(_bare(word)):
        return False
    return _syllable(word)


def _syllable(word: str) -> bool:
    # "Đắk", "Lắk": highland place names end in k, where Kinh spelling has c
    return is_valid_syllable(word) or (word[-1:] in ("k", "K") and is_valid_syllable(word[:-1] + "c"))


def _initial(tokens: list[str], i: int) -> bool:
    """A one-letter token between two whole words: a name's initial or an anonymised party
    ("bà Nguyễn Thị Q yêu cầu", "ông T ra", court precedents are full of them) or a point
    letter ("các điểm a và n khoản 1"), not a piece of a split word, whose neighbours are
    pieces too ("h ướ ng")."""
    if len(tokens[i]) != 1:
        return False
    around = [tokens[j] for j in (i - 1, i + 1) if 0 <= j < len(tokens)]
    return all(not _piece(t) for t in around)


def split_word_share(text: str) -> float:
    """Share of letter tokens that look like pieces of words (0 for clean text); initials
    between whole words are not counted as pieces."""
    tokens = [t for t in _TOKEN.findall(text) if _LETTERS.match(t)]
    if not tokens:
        return 0.0
    return sum(1 for i, t in enumerate(tokens)
               if _piece(t) and not _syllable(t) and not _initial(tokens, i)) / len(tokens)


_VOWELS = "aăâeêioôơuưy"


def _marked_vowel(token: str) -> bool:
    bare = _bare(token)
    return bool(bare) and all(c in _VOWELS for c in bare) and _piece(token)


def _fix_line(line: str) -> str:
    """Best split of the line into words: a lone piece costs 1, a joined word that starts
    with a vowel 0.5 and one that starts with a bare consonant right after a marked vowel
    0.25 (the cuts fall around the marked vowel: "Ch ủ t ị ch" is "Chủ tịch", not "Chủt ịch",
    "Th ự c hi ệ n" is "Thực hiện", not "Thự chiện"), any other word 0."""
    tokens = line.split(" ")
    n = len(tokens)
    best: list[tuple[float, list[str]]] = [(float("inf"), [])] * (n + 1)
    best[0] = (0.0, [])
    for i in range(n):
        cost_i, words_i = best[i]
        if cost_i == float("inf"):
            continue
        for k in range(1, 5):
            if i + k > n:
                break
            run = tokens[i:i + k]
            if k == 1:
                cost = 1.0 if _piece(run[0].rstrip(".,;:!?)”\"'")) else 0.0
            elif all(run) and _word(run) and any(_piece(t.rstrip(".,;:!?)”\"'")) and not _initial(tokens, i + j)
                                                 for j, t in enumerate(run)):
                first = _bare(run[0])
                if first[:1] in _VOWELS:
                    cost = 0.5
                elif i and not any(c in _VOWELS for c in first) and _marked_vowel(tokens[i - 1]):
                    cost = 0.25  # "ự c": a consonant after a marked vowel is usually its final
                else:
                    cost = 0.0
            else:
                continue
            if cost_i + cost < best[i + k][0]:
                best[i + k] = (cost_i + cost, [*words_i, "".join(run)])
    return " ".join(best[n][1])


def rejoin_split_words(text: str, *, threshold: float = SPLIT_THRESHOLD) -> str:
    """`text` with split words joined, when at least `threshold` of its tokens are pieces
    (clean text is returned unchanged)."""
    if split_word_share(text) < threshold:
        return text
    lines = (_fix_line(re.sub(r"(?<=\S) {2}(?=\S)", " ", line)) for line in text.split("\n"))
    # "Số :" / "đầy đủ ." : the space a gap put before punctuation
    return "\n".join(re.sub(r"(?<=[^\W\d_]) (?=[.,;:!?](?:\s|$))", "", line) for line in lines)
