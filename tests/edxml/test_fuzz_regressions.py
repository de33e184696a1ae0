"""Inputs the fuzzer once crashed on (fuzz/corpus/edxml): now EdxmlError or a clean read."""

from __future__ import annotations

from pathlib import Path

import pytest

from vanban.edxml import EdxmlError, parse_package

pytestmark = pytest.mark.unit

CORPUS = Path(__file__).resolve().parents[2] / "fuzz" / "corpus" / "edxml"
CASES = sorted(CORPUS.glob("*.edxml"))


def test_corpus_is_not_empty():
    assert CASES, "fuzz/corpus/edxml holds the fuzzer's regression cases"


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.name)
@pytest.mark.parametrize("strict", [True, False])
def test_regression_case(path, strict):
    try:
        parsed = parse_package(path.read_bytes(), strict=strict)
    except EdxmlError as exc:
        assert exc.code and exc.message
        return
    for att in parsed.attachments:
        assert len(att.read()) == att.size
