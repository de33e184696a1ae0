"""Every input the upload fuzzer (fuzz/upload_fuzz.py) ever crashed on, replayed: check_file
must refuse it with FormatError (or accept it truthfully). Files: fuzz/corpus/upload/."""

from __future__ import annotations

from pathlib import Path

import pytest

from vanban.core.formats import FormatError, check_file

pytestmark = pytest.mark.unit

CORPUS = Path(__file__).resolve().parents[2] / "fuzz" / "corpus" / "upload"

# Reported bugs (vanban/core/formats.py), strict: an XPASS means fixed — drop the entry.
KNOWN: dict[str, str] = {}  # fixed: the crash inputs are now plain regression cases


def _cases() -> list[object]:
    files = sorted(CORPUS.glob("*")) if CORPUS.is_dir() else []
    return [pytest.param(p, id=p.name, marks=[pytest.mark.xfail(strict=True, reason=KNOWN[p.name])]
                         if p.name in KNOWN else []) for p in files]


def test_the_corpus_is_there() -> None:
    """The two crash inputs found so far must stay in the corpus (a lost corpus replays nothing)."""
    names = {p.name for p in CORPUS.glob("*")}
    assert {"crash-af595b1849416a2d-x.odt", "crash-ff0c3a3b2a20545e-x.docx"} <= names
    assert set(KNOWN) <= names


@pytest.mark.parametrize("path", _cases())
def test_upload_fuzz_regression(path: Path) -> None:
    data = path.read_bytes()
    name = "tep." + path.name.rsplit(".", 1)[-1]
    try:
        checked = check_file(name, data)
    except FormatError as exc:
        assert exc.code
        return
    assert checked.size == len(data)
