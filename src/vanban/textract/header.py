"""Reading the header of a Nghị định 30/2020 document from its text (rule-based).

The layout is fixed by NĐ 30 Phụ lục I: agency (under its governing body) top left with
the national motto top right; "Số: 12/QĐ-UBND" under the agency with the place and date
on the same row; the type name and subject centred below (a công văn has no type name
and puts "V/v …" under its number); the signature block at the end (TM./KT./TL./TUQ./Q.,
position, name). Text comes either column by column (docx tables) or row by row with
wide gaps between columns (PDF layout mode), or merged with single spaces (plain PDF
text); each line is split into fragments on tabs and runs of three or more spaces.

Every field carries a confidence in 0..1 and the line it was read from, for the clerk to
check. No network, no model.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import asdict, dataclass, field

from vanban.core.legacy import is_valid_syllable
from vanban.core.text import fold

__all__ = ["DOCUMENT_TYPES", "Field", "HeaderGuess", "header_text", "read_header"]

# Type name -> abbreviation (NĐ 30 Phụ lục III); công văn and thư công have none.
DOCUMENT_TYPES: dict[str, str] = {
    "Nghị quyết": "NQ", "Quyết định": "QĐ", "Chỉ thị": "CT", "Quy chế": "QC", "Quy định": "QyĐ",
    "Thông cáo": "TC", "Thông báo": "TB", "Hướng dẫn": "HD", "Chương trình": "CTr",
    "Kế hoạch": "KH", "Phương án": "PA", "Đề án": "ĐA", "Dự án": "DA", "Báo cáo": "BC",
    "Biên bản": "BB", "Tờ trình": "TTr", "Hợp đồng": "HĐ", "Công điện": "CĐ",
    "Bản ghi nhớ": "BGN", "Bản thỏa thuận": "BTT", "Giấy ủy quyền": "GUQ", "Giấy mời": "GM",
    "Giấy giới thiệu": "GGT", "Giấy nghỉ phép": "GNP", "Phiếu gửi": "PG", "Phiếu chuyển": "PC",
    "Phiếu báo": "PB", "Nghị định": "NĐ", "Thông tư": "TT", "Luật": "L",
    # Joint documents (liên tịch) of two or more bodies.
    "Thông tư liên tịch": "TTLT", "Nghị quyết liên tịch": "NQLT", "Quyết định liên tịch": "QĐLT",
    "Thông báo liên tịch": "TBLT", "Hướng dẫn liên tịch": "HDLT", "Kế hoạch liên tịch": "KHLT",
    "Chương trình liên tịch": "CTrLT", "Chương trình phối hợp": "CTrPH", "Quy chế phối hợp": "QCPH",
}
_TYPE_BY_FOLD = {fold(name): name for name in DOCUMENT_TYPES}
_TYPE_BY_ABBR = {abbr.upper(): name for name, abbr in DOCUMENT_TYPES.items()}
_URGENCY = ("Hỏa tốc", "Thượng khẩn", "Khẩn")
_ORGAN_WORDS = tuple(fold(w) for w in (
    "ỦY BAN", "UỶ BAN", "UBND", "HỘI ĐỒNG", "HĐND", "SỞ", "BAN", "PHÒNG", "VĂN PHÒNG", "TRUNG TÂM",
    "CHI CỤC", "CỤC", "TỔNG CỤC", "VỤ", "BỘ", "TRƯỜNG", "BỆNH VIỆN", "THANH TRA", "KHO BẠC", "ĐÀI",
    "BÁO", "CÔNG AN", "BỘ CHỈ HUY", "VIỆN", "HỌC VIỆN", "ĐẠI HỌC", "TỔ", "ĐOÀN", "LIÊN ĐOÀN",
    "CHI NHÁNH", "BẢO HIỂM", "CÔNG TY", "TÒA ÁN", "VIỆN KIỂM SÁT", "QUỸ", "TIỂU BAN",
))
_POSITION_WORDS = tuple(fold(w) for w in (
    "CHỦ TỊCH", "GIÁM ĐỐC", "TRƯỞNG", "CHÁNH", "BỘ TRƯỞNG", "THỨ TRƯỞNG", "BÍ THƯ", "THỦ TRƯỞNG",
    "PHÓ", "TỔNG", "HIỆU TRƯỞNG", "VIỆN TRƯỞNG", "CỤC TRƯỞNG", "CHI CỤC TRƯỞNG", "KẾ TOÁN",
    "THƯ KÝ", "CHỦ TỌA", "CHỦ TRÌ", "NGƯỜI", "ỦY VIÊN", "THÀNH VIÊN", "THỦ TƯỚNG",
))
_BODY_STARTS = tuple(w.casefold() for w in (
    "Căn cứ", "Kính gửi", "Thực hiện", "Theo đề nghị", "Xét", "Điều", "Nhằm", "Để", "Ngày",
    "Trong", "Hôm nay", "Thời gian", "Địa điểm", "Nơi nhận", "Trân trọng", "Chương",
))

_SPLIT = re.compile(r"\t+| {3,}")
_MOTTO = [
    re.compile(r"c\s*o\s*n\s*g\s+h\s*o\s*a\s+x\s*a\s+h\s*o\s*i\s+c\s*h\s*u\s+n\s*g\s*h\s*i\s*a\s+v\s*i\s*e\s*t\s+n\s*a\s*m"),
    re.compile(r"d\s*o\s*c\s+l\s*a\s*p\s*[-–—]+\s*t\s*u\s+d\s*o\s*[-–—]+\s*h\s*a\s*n\s*h\s+p\s*h\s*u\s*c"),
]
_RULE = re.compile(r"^[\s_\-–—=.*·]+$")
_NUMBER = re.compile(
    r"\bS[ốỐoO]\s*[:.;]?\s*(?P<num>\d{1,6}|[.…]*)\s*/\s*(?:(?P<year>(?:19|20)\d\d)\s*/\s*)?"
    r"(?P<notation>[A-Za-zĐđ][A-Za-zĐđ0-9.&]*(?:\s?-\s?[A-Za-zĐđ0-9][A-Za-zĐđ0-9.&]*)*)")
_DATE = re.compile(
    r"ng[àa]y\s+(?P<d>\d{1,2}\s+|[.…_ ]*)th[áa]ng\s+(?P<m>\d{1,2}\s+|[.…_ ]*)n[ăa]m\s+(?P<y>(?:19|20)\d\d)",
    re.IGNORECASE)
_VV = re.compile(r"^\s*(?:V/[vV]|v/v|Về việc)\s*[:.]?\s*(?P<rest>.*)$")
_PREFIX = re.compile(r"^\s*(?P<p>TM|KT|TL|TUQ|Q)\s*\.\s*(?P<rest>.+?)\s*$")
_PLACEHOLDER = re.compile(r"^\s*[(\[].*[)\]]\s*$|^\s*\(?(đã ký|ký|chữ ký số)", re.IGNORECASE)


@dataclass
class Field:
    """A value read from the document, how sure the reader is, and the line it came from."""

    value: str | None = None
    confidence: float = 0.0
    evidence: str = ""


@dataclass
class HeaderGuess:
    """The header fields of one document (NĐ 30 Art. 8 components b, c, d, đ, g and marks)."""

    agency: Field = field(default_factory=Field)
    parent_agency: Field = field(default_factory=Field)
    number: Field = field(default_factory=Field)
    notation: Field = field(default_factory=Field)
    code: Field = field(default_factory=Field)
    place: Field = field(default_factory=Field)
    date: Field = field(default_factory=Field)
    type_name: Field = field(default_factory=Field)
    subject: Field = field(default_factory=Field)
    competence: Field = field(default_factory=Field)
    signer_position: Field = field(default_factory=Field)
    signer_name: Field = field(default_factory=Field)
    urgency: Field = field(default_factory=Field)

    def to_dict(self) -> dict[str, dict[str, object]]:
        return {name: asdict(value) for name, value in self.__dict__.items()}

    def values(self) -> dict[str, str | None]:
        return {name: value.value for name, value in self.__dict__.items()}


@dataclass
class _Frag:
    line: int
    col: int
    text: str
    raw_line: str


def _is_upper(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= 2 and all(c.isupper() for c in letters)


def _strip_motto(text: str) -> str:
    """Remove the national title and motto from a fragment (they share lines with the agency)."""
    folded = fold(text)
    if len(folded) != len(" ".join(text.split()).casefold()):
        return text
    compact = " ".join(text.split())
    for pattern in _MOTTO:
        m = pattern.search(fold(compact))
        if m:
            compact = (compact[: m.start()] + " " + compact[m.end():]).strip()
    return compact


_TITLE_WORDS = ("cong", "hoa", "xa", "hoi", "chu", "nghia", "viet", "nam")
_MOTTO_WORDS = ("doc", "lap", "tu", "do", "hanh", "phuc")


def _word(token: str) -> str:
    return re.sub(r"[^a-z0-9]", "", fold(token))


def _blank(line: str, spans: list[tuple[int, int]]) -> str:
    chars = list(line)
    for a, b in spans:
        chars[a:b] = " " * (b - a)
    return "".join(chars)


def _remove_wrapped_motto(lines: list[str], words: tuple[str, ...]) -> list[str]:
    """Blank the national title or motto out of the header lines, also when a narrow right
    column wrapped it ("… CHỦ NGHĨA VIỆT" / "NAM") and the agency column shares those rows.
    The sequence must start with its first two words on one line; its remaining words are
    then taken, in order, from the end of the next lines (the right column)."""
    for i, line in enumerate(lines[:40]):
        toks = [(m.start(), m.end(), _word(m.group())) for m in re.finditer(r"\S+", line)]
        real = [t for t in toks if t[2]]
        for j in range(len(real) - 1):
            if real[j][2] == words[0] and real[j + 1][2] == words[1]:
                break
        else:
            continue
        spans: dict[int, list[tuple[int, int]]] = {i: []}
        k = 0
        for t in real[j:]:
            if k < len(words) and t[2] == words[k]:
                spans[i].append((t[0], t[1]))
                k += 1
            else:
                break
        n = i + 1
        while k < len(words) and n < min(len(lines), i + 4):
            toks = [(m.start(), m.end(), _word(m.group())) for m in re.finditer(r"\S+", lines[n])]
            real = [t for t in toks if t[2]]
            best: tuple[int, int] = (0, -1)
            for start in range(len(real)):
                got = 0
                while (start + got < len(real) and k + got < len(words)
                       and real[start + got][2] == words[k + got]):
                    got += 1
                if got and got >= best[0]:
                    best = (got, start)
            if best[0]:
                spans[n] = [(t[0], t[1]) for t in real[best[1]: best[1] + best[0]]]
                k += best[0]
            n += 1
        if k < len(words) and k < 3:
            return lines
        out = list(lines)
        for row, row_spans in spans.items():
            if row_spans:
                # dashes between (and right after) the words go with them
                lo, hi = row_spans[0][0], row_spans[-1][1]
                m = re.match(r"\s*[-–—]+", out[row][hi:])
                if m:
                    hi += m.end()
                out[row] = _blank(out[row], [(lo, hi)])
        return out
    return lines


_BLANK_NUMBER = re.compile(r"\bS[ốỐoO]\s*[:.]?$")
_NUMBER_SO_FAR = re.compile(
    r"\bS[ốỐoO]\s*[:.]?\s*[\d.…]*\s*/\s*(?:(?:19|20)\d\d\s*/\s*)?[A-Za-zĐđ0-9.&-]*[A-Za-zĐđ0-9]$")


def _join_blanks(pieces: list[str]) -> list[str]:
    """Put back a number or date line that a blank split into columns. An issued PDF whose
    number and day are written by the issuing signature over blanks left in the page
    ("Số:           /BC-UBND", "Lâm Đồng, ngày       tháng 12 năm 2025") gives, in column
    layout, "Số:" | "/BC" | "-UBND" and "Lâm Đồng, ngày" | "tháng 12 năm 2025": a piece
    ending in "Số:" goes on with a piece starting with "/", a notation in progress with a
    piece starting with a dash, "… ngày" with a piece starting "tháng"."""
    out: list[str] = []
    for raw in pieces:
        piece, prev = raw.strip(), out[-1].rstrip() if out else ""
        if prev and piece.startswith("/") and _BLANK_NUMBER.search(prev):
            out[-1] = f"{prev} {piece}"
        elif prev and piece.startswith("-") and _NUMBER_SO_FAR.search(prev):
            out[-1] = prev + piece
        elif prev and re.search(r"\bng[àa]y$", prev, re.IGNORECASE) and re.match(r"th[áa]ng\b", piece, re.IGNORECASE):
            out[-1] = f"{prev} {piece}"
        else:
            out.append(raw)
    return out


def _fragments(text: str) -> list[_Frag]:
    out: list[_Frag] = []
    lines = unicodedata.normalize("NFC", text).splitlines()
    lines = _remove_wrapped_motto(_remove_wrapped_motto(lines, _TITLE_WORDS), _MOTTO_WORDS)
    for n, line in enumerate(lines):
        for c, raw in enumerate(_join_blanks(_SPLIT.split(line))):
            piece = raw.strip()
            if not piece or _RULE.match(piece):
                continue
            cleaned = _strip_motto(piece)
            if cleaned and not _RULE.match(cleaned):
                out.append(_Frag(n, c, cleaned, line.strip()))
    return out


def _title(text: str) -> str:
    return " ".join(text.split())


def read_header(text: str, *, tail: str | None = None) -> HeaderGuess:
    """Header fields of a document from its first page's text (and its last page for the
    signer, when given separately; otherwise the end of `text` is used)."""
    guess = HeaderGuess()
    frags = _fragments(text)
    head = [f for f in frags if f.line < 80]
    _read_urgency(head, guess)
    number_at = _read_number(head, guess)
    year_line = _read_date(head, guess)
    _read_agency(head, number_at, guess)
    type_at = _read_type(head, number_at, guess)
    _read_subject(head, number_at, type_at, guess, year_line)
    tail_frags = _fragments(tail) if tail is not None else frags[-60:]
    _read_signer(tail_frags, guess)
    return guess


def _read_urgency(frags: list[_Frag], guess: HeaderGuess) -> None:
    for f in frags[:60]:
        words = f.text.strip(" .:*()[]")
        if len(words.split()) > 3:
            continue
        for mark in _URGENCY:
            if fold(words) == fold(mark):
                conf = 0.9 if _is_upper(words) else 0.7
                guess.urgency = Field(mark, conf, f.raw_line)
                return


_CODE_REST = re.compile(r"^[A-ZĐ0-9][A-ZĐ0-9.&]*(?:-[A-ZĐ0-9][A-ZĐ0-9.&]*)*$")


def _wrapped_number(frags: list[_Frag], i: int) -> str:
    """The number line with its wrapped end put back: a long joint notation printed in a
    narrow column breaks after "Số:" ("Số:" / "29/2025/TTLT-BTP-…") or after a dash
    ("Số: 29/2025/TTLT-BTP-BCA-BQP-" / "BTC-TANDTC-VKSNDTC")."""
    text = frags[i].text.strip()
    nxt = next((g for g in frags[i + 1: i + 4] if g.line > frags[i].line), None)
    if nxt is None or nxt.line > frags[i].line + 2:
        return text
    rest = nxt.text.strip()
    if re.fullmatch(r"S[ốỐoO]\s*[:.]?", text) and re.match(r"\d{1,6}\s*/", rest):
        return f"{text} {rest}"
    if _NUMBER.search(text) and text.endswith("-") and _CODE_REST.match(rest):
        return text + rest
    return text


def _read_number(frags: list[_Frag], guess: HeaderGuess) -> int | None:
    for i, frag in enumerate(frags[:60]):
        f = frag
        if re.match(r"^\s*s[ốo]\s*:", f.text):  # OCR reads "Số:" as "số:" at times
            f = _Frag(frag.line, frag.col, "S" + f.text.lstrip()[1:], frag.raw_line)
        joined = _wrapped_number([*frags[:i], f, *frags[i + 1:]], i)
        if joined != f.text.strip():
            f = _Frag(f.line, f.col, joined, f"{f.raw_line} {joined}")
        m = _NUMBER.search(f.text)
        if not m:
            continue
        notation = re.sub(r"\s*-\s*", "-", m.group("notation")).strip(".-")
        glued = m.end() < len(f.text) and f.text[m.end()].isalpha()
        if glued:  # "UBND-VPBuôn Ma Thuột": the next column's first word stuck on
            notation = re.sub(r"(?<=[A-ZĐ])[A-ZĐ][a-z]*$", "", notation)
        # "QĐ-UBNDAn Giang, ngày …": a capitalised word of the place glued to the notation — but
        # "TTg" (Thủ tướng Chính phủ: QĐ-TTg, CT-TTg) is written so and is no place
        if not re.search(r"(?:^|-)TTg$", notation):
            notation = re.sub(r"(?<=[A-ZĐ])[A-ZĐÂĂÊÔƠƯÀ-Ỹ][a-zđà-ỹâăêôơư]+$", "", notation)
        num = m.group("num")
        groups = notation.split("-")
        conf = 0.95 if len(groups) >= 2 else 0.75
        if num and num.isdigit():
            guess.number = Field(num, conf, f.raw_line)
            code = f"{num}/{m.group('year') + '/' if m.group('year') else ''}{notation}"
            guess.code = Field(code, conf, f.raw_line)
        else:
            guess.number = Field(None, 0.3, f.raw_line)
        guess.notation = Field(notation, conf, f.raw_line)
        return i
    return None


_PLACE_LOWER = {"phố", "xã", "trấn"}


def _place_before(prefix: str) -> str | None:
    words = prefix.replace(",", " ").split()
    picked: list[str] = []
    for word in reversed(words):
        parts = word.split("-")
        if len(parts) > 1 and all(p[:1].isupper() and p.isalpha() and not _is_upper(p) for p in parts):
            picked.append(word)  # "Rang-Tháp" in "Phan Rang-Tháp Chàm"
            continue
        if "/" in word or "-" in word or ":" in word or any(c.isdigit() for c in word):
            stuck = re.search(r"(?<=[A-ZĐ])([A-ZĐÂĂÊÔƠƯÀ-Ỹ][a-zđà-ỹâăêôơư]+)$", word)
            if stuck:
                picked.append(stuck.group(1))
            break
        if word in _PLACE_LOWER or (word[0].isupper() and not _is_upper(word)) or word in ("TP.", "Tp."):
            picked.append(word)
            if len(picked) >= 6:
                break
            continue
        break
    picked.reverse()
    while picked and picked[0] in _PLACE_LOWER:
        picked.pop(0)
    return " ".join(picked) or None


_YEAR_TAIL = re.compile(r"(?:(?:th[áa]ng\s+)?\d{1,2}\s+)?n[ăa]m\s+(?:19|20)\d\d\s*$", re.IGNORECASE)
_DATE_CUT = re.compile(r"ng[àa]y\s+\S+(?:\s+th[áa]ng(?:\s+\S+(?:\s+n[ăa]m)?)?)?\s*$", re.IGNORECASE)


def _read_date(frags: list[_Frag], guess: HeaderGuess) -> int | None:
    """Place and date; returns the line a wrapped date's year was taken from, if any."""
    year_line: int | None = None
    for i, frag in enumerate(frags[:60]):
        f = frag
        m = _DATE.search(f.text)
        if not m and _DATE_CUT.search(f.text):
            # "Sơn La, ngày 16 tháng 11" / "năm 2018": a narrow column wrapped the date
            for g in frags[i + 1: i + 6]:
                if g.line > frag.line + 2:
                    break
                year = _YEAR_TAIL.search(g.text)  # merged rows: "V/v báo cáo … năm 2010"
                joined = f"{frag.text} {(year.group(0) if year else g.text).strip()}"
                if g.line > frag.line and _DATE.search(joined):
                    f = _Frag(frag.line, frag.col, joined, f"{frag.raw_line} {g.text.strip()}")
                    m = _DATE.search(f.text)
                    year_line = g.line if year else None
                    break
        if not m:
            year_line = None
            continue
        prefix = f.text[: m.start()].rstrip()
        if prefix.endswith(","):
            place = _place_before(prefix[:-1])
            if place:
                guess.place = Field(place, 0.9, f.raw_line)
        d, mo, y = m.group("d").strip(), m.group("m").strip(), m.group("y")
        if d.isdigit() and mo.isdigit():
            try:
                value = dt.date(int(y), int(mo), int(d))
            except ValueError:
                guess.date = Field(None, 0.2, f.raw_line)
                return year_line
            standard = len(d) == 2 and len(mo) == 2 if int(mo) <= 2 or int(d) < 10 else True
            guess.date = Field(value.isoformat(), 0.95 if standard else 0.85, f.raw_line)
        else:
            guess.date = Field(None, 0.3, f.raw_line)
        return year_line
    return None


def _starts_with(text: str, words: tuple[str, ...], *, exact: bool = False) -> bool:
    """Whether text begins with one of `words` (folded, or with diacritics when `exact`:
    folding would make "Đề nghị" start like "Để")."""
    folded = " ".join(unicodedata.normalize("NFC", text).casefold().split()) if exact else fold(text)
    return any(folded.startswith(w) and (len(folded) == len(w) or not folded[len(w)].isalnum())
               for w in words)


def _read_agency(frags: list[_Frag], number_at: int | None, guess: HeaderGuess) -> None:
    end = number_at if number_at is not None else min(len(frags), 8)
    lines: list[_Frag] = []
    for f in frags[:end]:
        if guess.urgency.value and fold(f.text) == fold(guess.urgency.value):
            continue
        if not _is_upper(f.text) or _DATE.search(f.text):
            continue
        lines.append(f)
    if not lines:
        return
    groups: list[list[str]] = []
    for f in lines:
        text = _title(f.text)
        if not groups or (_starts_with(text, _ORGAN_WORDS)
                          and not groups[-1][-1].endswith(("VÀ", ",", "-", "–", "&"))):
            groups.append([text])
        else:
            groups[-1].append(text)
    # OCR reads the TỈNH of an agency name as TĨNH (a word that only ends "HÀ TĨNH")
    names = [re.sub(r"(^|(?<!HÀ) )TĨNH (?=\S)", r"\1TỈNH ", " ".join(g)) for g in groups]
    first = (guess.notation.value or "").split("-")[0].upper()
    if len(names) > 1 and first.endswith("LT"):
        # liên tịch: the issuing bodies side by side, no governing body; when the bodies are
        # printed with dashes between them ("BỘ TƯ PHÁP - BỘ CÔNG AN - BỘ QUỐC" / "PHÒNG - …"),
        # a line break is only a wrap, not a new body
        texts = [_title(f.text) for f in lines]
        if any(re.search(r"\s[-–]\s|[-–]$|^[-–]", t) for t in texts):
            names = [re.sub(r"\s*[-–]\s*", " - ", " ".join(texts))]
        else:
            names = [" - ".join(names)]
    conf = 0.9 if _starts_with(names[-1], _ORGAN_WORDS) else 0.6
    if number_at is None:
        conf -= 0.2
    guess.agency = Field(names[-1], conf, lines[-1].raw_line)
    if len(names) > 1:
        guess.parent_agency = Field(" ".join(names[:-1]), conf, lines[0].raw_line)


def _type_of(text: str) -> str | None:
    cleaned = text.strip().rstrip(":").strip()
    if text.strip().endswith(":"):
        return None
    return _TYPE_BY_FOLD.get(fold(cleaned))


def _read_type(frags: list[_Frag], number_at: int | None, guess: HeaderGuess) -> int | None:
    start = 0 if number_at is None else number_at + 1
    for i, f in enumerate(frags[start:start + 25], start):
        if not _is_upper(f.text):
            continue
        name = _type_of(f.text)
        if name:
            guess.type_name = Field(name, 0.95 if number_at is not None else 0.8, f.raw_line)
            return i
    notation = guess.notation.value or ""
    first = notation.split("-")[0].upper() if notation else ""
    has_vv = any(_VV.match(f.text) for f in frags[:40])
    if first in _TYPE_BY_ABBR and not has_vv:
        guess.type_name = Field(_TYPE_BY_ABBR[first], 0.6, guess.notation.evidence)
    elif notation and (has_vv or any(_starts_with(f.text, ("kính gửi",), exact=True) for f in frags[:60])):
        guess.type_name = Field("Công văn", 0.9 if has_vv else 0.7, guess.notation.evidence)
    return None


def _opens_body(text: str) -> bool:
    """A line starting with a body opening ("Xét đề nghị …", "Căn cứ …"); a body sentence
    starts with a capital, so a line starting in lower case ("xét xử sơ thẩm …", a subject
    wrapped after "truy tố,") goes on with what stands above it."""
    return _starts_with(text, _BODY_STARTS, exact=True) and not text.lstrip()[:1].islower()


def _stop_subject(f: _Frag) -> bool:
    heading = _is_upper(f.text) and not re.search(r"\d", f.text)
    return (heading or _opens_body(f.text) or bool(_DATE.search(f.text))
            or bool(_NUMBER.search(f.text)) or f.text.rstrip().endswith(":"))


_STRONG_BODY = tuple(w.casefold() for w in (
    "Căn cứ", "Kính gửi", "Điều", "Chương", "Phần", "Nơi nhận", "Hôm nay", "Trân trọng",
))
_CITATION = re.compile(r"\bsố\s+\d+\s*/|\d+/\d{4}/|\bngày\s+\d", re.IGNORECASE)
# Lines that name who issues the document (under the subject of a Quyết định, Nghị quyết, …).
_AUTHORITY = tuple(fold(w) for w in (
    "ỦY BAN NHÂN DÂN", "UỶ BAN NHÂN DÂN", "HỘI ĐỒNG NHÂN DÂN", "CHỦ TỊCH", "BỘ TRƯỞNG", "THỨ TRƯỞNG",
    "GIÁM ĐỐC", "TỔNG GIÁM ĐỐC", "THỦ TƯỚNG", "CHÍNH PHỦ", "TRƯỞNG BAN",
    "TỔNG CỤC TRƯỞNG", "CỤC TRƯỞNG", "CHI CỤC TRƯỞNG", "CHÁNH ÁN", "VIỆN TRƯỞNG", "HIỆU TRƯỞNG",
    "CHỦ NHIỆM", "THỐNG ĐỐC", "TỔNG KIỂM TOÁN", "BAN THƯỜNG VỤ", "THƯỜNG TRỰC", "BAN CHỈ ĐẠO",
    "CHÁNH VĂN PHÒNG", "CHÁNH THANH TRA", "TRƯỞNG PHÒNG", "THỦ TRƯỞNG",
))
_SESSION = re.compile(r"^\s*(?:KH[OÓ]A\s+[IVXLC]+\b|KHOÁ\s+[IVXLC]+\b|KỲ HỌP THỨ\b)")  # "KHÓA XII KỲ HỌP THỨ 9"
_CONNECTORS = ("CỦA", "VÀ", "VỚI", "CHO", "TẠI", "THUỘC", "VỀ", "TRÊN", "ĐỐI", "TỪ", "ĐẾN", "TRONG",
               "CÁC", "NHỮNG", "THEO", "ĐỂ", "LÀ", "DO", "BAN", ",", "-", "–", "&", ";", "“", "(")
_HEADING = re.compile(r"^\s*(?:[IVXLC]+\s*[.:]|(?:CHƯƠNG|PHẦN|MỤC|Chương|Phần|Mục)\s+(?:[IVXLC]+|\d+)\b)")


def _body_sentence(f: _Frag) -> bool:
    """A sentence-case line that opens the body ("Thực hiện Quyết định số 41/QĐ-TTg ngày …")."""
    text = f.text.strip()
    return (not _is_upper(text) and _opens_body(text)
            and (bool(_CITATION.search(text)) or text[-1:] in ";,.:"))


# Words a sentence-case subject line cannot end on: the next line goes on with the citation.
_OPEN_ENDS = ("số", "ngày", "tháng", "năm", "của", "và", "về", "theo", "tại", "cho", "với", "thuộc",
              "đến", "từ", "trong", "các", "những")
_CITED = re.compile(r"^\s*(?:\d{1,6}\s*/\s*(?:(?:19|20)\d\d\s*/\s*)?[A-ZĐ]|\d{1,2}(?:/\d|\s+tháng\s))")


def _cited_on(prev: str, text: str) -> bool:
    """'… của Thông tư liên tịch số' / '10/2018/TTLT-BTP-… ngày 29 tháng 6 năm 2018 quy': a
    line that starts with the document number (or date) the previous line was citing belongs
    to the subject, although it holds a number and a date like a header line."""
    words = prev.rstrip().split()
    return (bool(words) and words[-1].casefold() in _OPEN_ENDS and bool(_CITED.match(text))
            and not _NUMBER.search(text) and not text.rstrip().endswith(":"))


def _subject_lines(frags: list[_Frag]) -> list[_Frag]:
    """The subject under a type name: the first line (upper or sentence case, "Thực hiện …"
    included), then its continuation lines in the same case, up to a body opening, a heading
    or the line naming the issuing authority."""
    parts: list[_Frag] = []
    upper = False
    for f in frags:
        text = f.text.strip()
        if parts and f.line - parts[-1].line > 2:
            break
        if parts and f.line == parts[-1].line:
            continue  # another column on the same row
        if text.endswith(":") or _starts_with(text, _STRONG_BODY, exact=True) or _HEADING.match(text):
            break
        if _NUMBER.match(text):
            break
        if not parts:
            if _body_sentence(f) or _type_of(text):
                break
            parts.append(f)
            upper = _is_upper(text)
            continue
        if len(parts) >= (14 if upper else 8):  # a 5-line upper-case subject wraps to 10 in a narrow PDF
            break
        if upper:
            letters = any(c.isalpha() for c in text)
            if letters and not _is_upper(text) and not (text.startswith("(") and text.endswith(")")):
                break
            prev = parts[-1].text.rstrip()
            if _SESSION.match(text) or (_starts_with(text, _AUTHORITY) and not prev.upper().endswith(_CONNECTORS)):
                break
            parts.append(f)
            continue
        if _is_upper(text) or _body_sentence(f):
            break
        if _stop_subject(f) and not _cited_on(parts[-1].text, text):
            break
        if len(text.split()) > 25 and text[-1:] in ".;:":
            break  # a whole body paragraph (docx), not a subject line
        parts.append(f)
    return parts


def _cut_place_date(text: str, guess: HeaderGuess, *, year_here: bool = False) -> str:
    """'… tuyên truyền và Vị Thanh, ngày 6 tháng 4 năm 2011' -> '… tuyên truyền và';
    '… tình hình bị năm 2010' (the end of a wrapped date) -> '… tình hình bị'."""
    year = guess.date.value[:4] if guess.date.value else None
    if year_here and year and _YEAR_TAIL.search(text) and text.rstrip().endswith(year) and not _DATE.search(text):
        return _YEAR_TAIL.sub("", text).strip()
    place, date = guess.place.value, _DATE.search(text)
    at = text.find(place + ",") if place and date else -1
    return text[:at].strip() if date and 0 < at < date.start() else text


def _read_subject(frags: list[_Frag], number_at: int | None, type_at: int | None,
                  guess: HeaderGuess, year_line: int | None = None) -> None:
    if type_at is not None:
        parts = _subject_lines(frags[type_at + 1: type_at + 20])
        if parts:
            value = _title(" ".join(p.text for p in parts))
            guess.subject = Field(value, 0.9 if len(parts) <= 5 else 0.6, parts[0].raw_line)
        return
    for i, f in enumerate(frags[:50]):
        m = _VV.match(f.text)
        if not m:
            continue
        pieces = [_cut_place_date(m.group("rest"), guess, year_here=f.line == year_line)]
        last = f
        for g in frags[i + 1: i + 12]:  # the right column's motto and date share the first rows
            if g.col != f.col and g.line == last.line:
                continue
            text = _cut_place_date(g.text, guess, year_here=g.line == year_line)
            if text != g.text:
                pass  # the V/v column merged with the place and date (plain PDF text)
            elif (_stop_subject(g) or g.line - last.line > 1 or _VV.match(text)
                    or (guess.urgency.value and fold(text) == fold(guess.urgency.value))):
                break
            pieces.append(text)
            last = g
        value = _title(" ".join(pieces))
        if value:
            guess.subject = Field(value, 0.9, f.raw_line)
        return


def _is_name(text: str) -> bool:
    """A personal name: 2–6 capitalised words (Ê Đê names have 'Y' and "H'" words)."""
    words = text.split()
    if not (2 <= len(words) <= 6 and all(_name_word(w) for w in words)):
        return False
    if sum(1 for w in words if len(w) > 2) >= 2:
        return True
    # "Đào Mỹ", "Lê Na": short syllables make a name too when every word is one
    return len(words) == 2 and all(len(w) >= 2 and is_valid_syllable(w) for w in words)


def _name_word(word: str) -> bool:
    if len(word) == 2 and word[0].isupper() and word[1] in "'’":
        return True  # H' in Ê Đê names
    return word.isalpha() and word[0].isupper() and (len(word) == 1 or word[1:].islower())


_MERGED_PREFIX = re.compile(r"^(?P<a>.*?\S)\s+(?P<b>(?:TM|KT|TL|TUQ|Q)\s*\.\s*\S.*)$")
_MERGED_MARK = re.compile(r"^(?P<a>.*\S)\s+(?P<b>\((?:Đã ký|đã ký|Ký|ký)[^()]*\))$")
_MERGED_NAME = re.compile(r"^(?P<a>.*[;:.,])\s+(?P<b>(?:\S+\s+){1,5}\S+)$")


def _split_upper_tail(text: str) -> tuple[str, str] | None:
    """'- Như trên; PHÓ CHỦ TỊCH' -> ('- Như trên;', 'PHÓ CHỦ TỊCH'); None if not such a line."""
    words = text.split()
    k = len(words)
    while (k > 0 and _is_upper(words[k - 1] + "X") and words[k - 1].replace(".", "").isalpha()
           and not words[k - 1].endswith(".")):  # "- Lưu: VT. PHÓ CHỦ TỊCH": VT. is the recipient
        k -= 1
    if k == 0 or len(words) - k < 2 or _PREFIX.match(" ".join(words[k - 1:])):
        return None
    before = words[k - 1]
    if not (before[-1] in ";:,." or before[-1].islower()) or _PREFIX.match(before + " X"):
        return None
    return " ".join(words[:k]), " ".join(words[k:])


def _unmerge(frags: list[_Frag]) -> list[_Frag]:
    """Split "- Như trên;  CHỦ TỊCH"-style lines of plain PDF text into their two columns."""
    out: list[_Frag] = []
    for f in frags:
        pieces = [f.text]
        changed = True
        while changed:
            changed = False
            text = pieces[0]
            for pattern in (_MERGED_PREFIX, _MERGED_MARK, _MERGED_NAME):
                m = pattern.match(text)
                if m and (pattern is not _MERGED_NAME or _is_name(m.group("b"))):
                    pieces[0:1] = [m.group("a"), m.group("b")]
                    changed = True
                    break
            else:
                split = _split_upper_tail(text)
                if split:
                    pieces[0:1] = list(split)
                    changed = True
        out.extend(_Frag(f.line, f.col + k, piece, f.raw_line) for k, piece in enumerate(pieces))
    return out


def _read_signer(frags: list[_Frag], guess: HeaderGuess) -> None:
    frags = _unmerge(frags)
    prefixes: list[int] = []
    for i, f in enumerate(frags):
        m = _PREFIX.match(f.text)
        if m and _is_upper(m.group("rest")):
            prefixes.append(i)
    names = [i for i, f in enumerate(frags) if _is_name(f.text) and not _PLACEHOLDER.match(f.text)]
    if not names:
        return
    name_at = names[-1]
    if prefixes and prefixes[-1] < name_at:
        # Consecutive authority lines ending just before the position and name.
        last = prefixes[-1]
        chain_at = [k for k in prefixes if k >= last - 6]
        first = chain_at[0]
        chain = [frags[k].text for k in chain_at]
        between = [frags[k] for k in range(last + 1, name_at)
                   if _is_upper(frags[k].text) and not _PLACEHOLDER.match(frags[k].text)
                   and not frags[k].text.startswith(("-", "+", "•"))]
        if len(between) > 1:
            # "TL. CHỦ TỊCH ỦY" / "BAN NHÂN DÂN TỈNH" / "CHÁNH VĂN PHÒNG": the authority line wrapped
            chain[-1] = " ".join([chain[-1], *(b.text for b in between[:-1])])
            between = between[-1:]
        guess.competence = Field("; ".join(_title(c) for c in chain), 0.9, frags[first].raw_line)
        if between:
            guess.signer_position = Field(_title(between[0].text), 0.9, between[0].raw_line)
        else:
            m = _PREFIX.match(frags[last].text)
            assert m is not None
            guess.signer_position = Field(_title(m.group("rest")), 0.7, frags[last].raw_line)
        guess.signer_name = Field(frags[name_at].text.strip(), 0.9, frags[name_at].raw_line)
        return
    for k in range(name_at - 1, max(-1, name_at - 5), -1):
        f = frags[k]
        if _is_upper(f.text) and _starts_with(f.text, _POSITION_WORDS):
            guess.signer_position = Field(_title(f.text), 0.8, f.raw_line)
            guess.signer_name = Field(frags[name_at].text.strip(), 0.85, frags[name_at].raw_line)
            return
    guess.signer_name = Field(frags[name_at].text.strip(), 0.4, frags[name_at].raw_line)


def header_text(extracted: object) -> tuple[str, str]:
    """(head, tail) of an `Extracted` for `read_header`: the first page (in layout mode for a
    PDF, which keeps the columns apart) and the last page (where the signature is)."""
    pages: list[str] | None = getattr(extracted, "pages", None)
    layout: str = getattr(extracted, "layout_first_page", None) or ""
    head: str = layout or getattr(extracted, "first_page", "")
    tail: str = pages[-1] if pages else getattr(extracted, "text", "")
    if pages and len(pages) == 1 and layout:
        tail = layout
    return head, tail
