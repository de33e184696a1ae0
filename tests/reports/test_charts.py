"""Charts count documents: their value axis has whole numbers only (issue 21: "0.5 documents")."""

from __future__ import annotations

import re

import pytest

from vanban.reports.charts import bars

pytestmark = pytest.mark.unit


def _tick_labels(svg: str) -> list[str]:
    # matplotlib writes each tick label as a comment before its glyphs: <!-- 1 -->
    return re.findall(r"<!-- ([^<>]{1,12}) -->", svg)


@pytest.mark.parametrize("horizontal", [False, True])
def test_value_axis_has_only_whole_numbers(horizontal: bool) -> None:
    chart = bars("Văn bản đến", ["Th1", "Th2", "Th3"], {"đến": [0, 1, 2]}, horizontal=horizontal)
    numbers = [t for t in _tick_labels(chart.svg) if re.fullmatch(r"[\d.,−-]+", t)]
    assert numbers, "the value axis is drawn with labelled ticks"
    assert not any("," in t or re.fullmatch(r"\d+\.\d{1,2}", t) for t in numbers), numbers
    assert "0.5" not in numbers and "1.5" not in numbers
