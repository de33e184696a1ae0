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
word) is checked with that line's spaces removed on both sides.

Exit status 0 when every record passes; the failures are printed otherwise. Not run by the
tests: it needs the sources, which the tests must not fetch.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).parent


def _plain(text: str) -> str:
    text = re.sub(r"[*#|]", " ", text)
    return " ".join(text.split())


def _source_text(rec: dict, git_dirs: dict[str, str]) -> str:
    src = rec["source"]
    repo = src["repository"]
    git_dir = git_dirs.get(repo, f"/work/.mirror/{repo.replace('/', '+')}/repo")
    out = subprocess.run(["git", f"--git-dir={git_dir}", "show", f"{src['commit']}:{src['path']}"],
                         capture_output=True, check=True)
    return _as_text(src["path"], out.stdout)


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


def check(rec: dict, text: str) -> list[str]:
    """The parts of `rec` not found in `text` (empty when the record passes)."""
    plain = _plain(text)
    squeezed = plain.replace(" ", "")
    missing = []
    for what, part in parts(rec):
        want = _plain(part)
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
        problems += check(rec, _source_text(rec, git_dirs))
        failed += bool(problems)
        print(f"{'ok  ' if not problems else 'FAIL'} {rec['id']}")
        for p in problems:
            print(f"     missing {p}")
    print(f"{len(records) - failed}/{len(records)} records found word for word in their sources")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
