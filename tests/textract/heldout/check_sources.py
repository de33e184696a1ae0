"""Check the held-out records word for word against their sources.

    python tests/textract/heldout/check_sources.py [--git-dir owner/name=PATH ...] [headers.json]

For every record, the file `source.path` at `source.commit` of `source.repository` is read
from a local clone (`git cat-file`; by default `/work/.mirror/<owner>+<name>/repo`, the layout
the project's fetch tool leaves, or the directory given with --git-dir), its markdown is
removed (`**`, `*`, `#`, table bars) and its whitespace collapsed (which joins the copy's
converter wraps, as the README says), and then each header part must occur in it: every
parent and agency line, the number line, the date line, the subject (its words in order; the
record's line breaks are ours), every line after the subject, every signature line and the
signer's name. A record whose `note` says a line was repaired (e.g. a date split inside a
word) is checked with that line's spaces removed on both sides. A record with `stamped`
(a PDF whose page text leaves the number and the day blank, filled in by the appearance of the
issuing signature drawn over the blanks) is checked in two parts: the number line and the date
line with the stamped values taken out must occur in the page text, and each stamped value must
be the text of a signature field's appearance on the first page.

Exit status 0 when every record passes; the failures are printed otherwise. Not run by the
tests: it needs the sources, which the tests must not fetch.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from io import BytesIO
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent


def _plain(text: str) -> str:
    text = re.sub(r"[*#|]", " ", text)
    return " ".join(text.split())


def _source_bytes(rec: dict, git_dirs: dict[str, str]) -> bytes:
    src = rec["source"]
    repo = src["repository"]
    git_dir = git_dirs.get(repo, f"/work/.mirror/{repo.replace('/', '+')}/repo")
    out = subprocess.run(["git", f"--git-dir={git_dir}", "show", f"{src['commit']}:{src['path']}"],
                         capture_output=True, check=True)
    return out.stdout


def signature_stamps(data: bytes) -> list[str]:
    """The text drawn by the appearances of the signature fields on a PDF's first page (an
    issuing system writes the number and the day there, over blanks left in the page text)."""
    import pypdf  # only the stamped PDF copies need it
    from pypdf.generic import NameObject, StreamObject

    reader = pypdf.PdfReader(BytesIO(data))
    found: list[str] = []

    def forms(obj: Any, depth: int = 0) -> None:
        obj = obj.get_object()
        res = obj.get("/Resources")
        res = res.get_object() if res is not None else {}
        if "/Font" in res:  # a form that draws text: read it as a page of its own
            writer = pypdf.PdfWriter()
            page = writer.add_blank_page(600, 100)
            page[NameObject("/Resources")] = res
            stream = StreamObject()
            stream.set_data(obj.get_data())
            page[NameObject("/Contents")] = writer._add_object(stream)
            found.append(" ".join(page.extract_text().split()))
        for sub in (res.get("/XObject") or {}).values():
            if depth < 4:
                forms(sub, depth + 1)

    for ref in reader.pages[0].get("/Annots") or []:
        annot = ref.get_object()
        if annot.get("/FT") == "/Sig" and "/AP" in annot:
            forms(annot["/AP"]["/N"])
    return [t for t in found if t]


def _as_text(path: str, data: bytes) -> str:
    """The copy's words: markdown as it is, an HTML page's text with <br> and block ends as
    line breaks, a .docx or .pdf through vanban's own extractor (paragraphs, tables cell by
    cell; a PDF's plain text)."""
    if path.endswith((".html", ".htm")):
        from lxml import html  # only the HTML copies need it

        doc = html.fromstring(data)
        for bad in doc.xpath("//script|//style"):
            bad.drop_tree()
        for br in doc.iter("br"):
            br.tail = "\n" + (br.tail or "")
        return doc.text_content()
    if path.endswith((".docx", ".pdf")):
        from vanban.textract import extract_text  # only the .docx and .pdf copies need it

        return extract_text(data, path.rsplit(".", 1)[1]).text
    return data.decode("utf-8")


def parts(rec: dict) -> list[tuple[str, str]]:
    """(what, text) of every header part that must occur in the copy."""
    out = [("parent", p) for p in rec["parent"]] + [("agency", a) for a in rec["agency"]]
    out += [("number", rec["number"]), ("date_line", rec["date_line"]),
            ("subject", " ".join(rec["subject"]))]
    out += [("after", a) for a in rec["after"]]
    signer = rec.get("signer")
    if signer:
        out += [("signer", line) for line in signer["lines"]] + [("signer_name", signer["name"])]
    return out


def _unstamped(rec: dict, what: str, part: str) -> str:
    """`part` as the page text prints it when the record says a stamp filled it in."""
    stamped = rec.get("stamped") or {}
    if what == "number" and "number" in stamped:
        return part.replace(stamped["number"], "", 1)
    if what == "date_line" and "day" in stamped:
        return part.replace(f"ngày {stamped['day']} ", "ngày ", 1)
    return part


def check(rec: dict, text: str, stamps: list[str] | None = None) -> list[str]:
    """The parts of `rec` not found in `text` (empty when the record passes); `stamps` are the
    source's signature-field texts, where a `stamped` record's number and day must be."""
    plain = _plain(text)
    squeezed = plain.replace(" ", "")
    missing = [f"stamped {key}: {value!r}" for key, value in (rec.get("stamped") or {}).items()
               if value not in (stamps or [])]
    for what, part in parts(rec):
        want = _plain(_unstamped(rec, what, part))
        if want in plain:
            continue
        if rec.get("note") and want.replace(" ", "") in squeezed:
            continue  # a line the note says was repaired (split inside a word by the copy)
        missing.append(f"{what}: {part!r}")
    return missing


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("headers", nargs="?", default=str(HERE / "headers.json"))
    parser.add_argument("--git-dir", action="append", default=[], metavar="OWNER/NAME=PATH")
    args = parser.parse_args()
    git_dirs = dict(item.split("=", 1) for item in args.git_dir)
    records = json.loads(Path(args.headers).read_text(encoding="utf-8"))
    failed = 0
    for rec in records:
        src = rec["source"]
        url = f"https://github.com/{src['repository']}/blob/{src['commit']}/{src['path']}"
        problems = [] if rec["url"] == url else [f"url is not {url}"]
        data = _source_bytes(rec, git_dirs)
        stamps = signature_stamps(data) if rec.get("stamped") else []
        problems += check(rec, _as_text(src["path"], data), stamps)
        failed += bool(problems)
        print(f"{'ok  ' if not problems else 'FAIL'} {rec['id']}")
        for p in problems:
            print(f"     missing {p}")
    print(f"{len(records) - failed}/{len(records)} records found word for word in their sources")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
