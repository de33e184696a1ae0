from __future__ import annotations

import pytest

from vanban.search.text import fold_aligned, parse_query, tokens

pytestmark = pytest.mark.unit


def test_tokens_split_notations_and_keep_marks() -> None:
    assert tokens("Số 12/QĐ-UBND ngày 15/03/2026") == ["số", "12", "qđ", "ubnd", "ngày", "15", "03", "2026"]
    assert tokens("snake_case, a.b") == ["snake", "case", "a", "b"]


def test_words_with_marks_match_exactly_others_fold() -> None:
    q = parse_query('Quyết dinh "kế hoạch năm"')
    assert [(t.words, t.column) for t in q.terms] == [
        (("kế", "hoạch", "năm"), "exact"), (("quyết",), "exact"), (("dinh",), "folded")]
    assert q.terms[0].folded == ("ke", "hoach", "nam")
    assert q.code == ""


def test_notation_is_a_phrase_and_a_code() -> None:
    q = parse_query("12/QĐ-UBND")
    assert [(t.words, t.column) for t in q.terms] == [(("12", "qđ", "ubnd"), "exact")]
    assert q.code == "12/qđ-ubnd"


def test_quotes_and_garbage_cannot_break_out() -> None:
    q = parse_query('" OR * NEAR( ) "" \'; DROP')
    assert all(w.isalnum() for t in q.terms for w in t.words)
    assert parse_query("   ").empty


def test_fold_aligned_keeps_positions() -> None:
    text = "Đề án Quyết định"
    assert len(fold_aligned(text)) == len(text)
    assert fold_aligned(text) == "de an quyet dinh"
