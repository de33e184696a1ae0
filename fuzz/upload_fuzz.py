"""Fuzz target for upload sniffing, vanban.core.formats.check_file: any exception other than
FormatError is a bug, and an accepted file must be described truthfully.

    python fuzz/upload_fuzz.py --seconds 60

Seeds: one valid file of every allowed format (PDF, PNG, JPEG, RTF, TXT/CSV in UTF-8 and UTF-16,
DOC/XLS compound files, DOCX/XLSX, ODT/ODS) plus hostile ones (executables, zip bombs, macro
parts, encrypted zips) and every file already kept in fuzz/corpus/upload/. Mutations flip
bytes, cut, splice hostile fragments, rename the extension, and rebuild zips with mutated
members. A crashing input is saved as fuzz/corpus/upload/crash-<sha>.<ext> (the file name
carries the extension tried); tests/fuzz_regressions/ replays every file there.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import sys
import time
import traceback
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import seed as hypothesis_seed  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from vanban.core.formats import ALLOWED_EXTENSIONS, FormatError, FormatLimits, check_file  # noqa: E402

CORPUS = ROOT / "fuzz" / "corpus" / "upload"
LIMITS = FormatLimits(max_bytes=2 * 1024 * 1024, zip_max_entries=200, zip_max_uncompressed=8 * 1024 * 1024)
NAMES = [*ALLOWED_EXTENSIONS, "exe", "PDF", "Docx", "", "tar.gz", "pdf.exe", "txt\x00.pdf"]
FRAGMENTS = [
    b"%PDF-1.7\n", b"%%EOF", b"MZ", b"\x7fELF", b"#!/bin/sh\n", b"PK\x03\x04", b"PK\x05\x06",
    b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"{\\rtf1", b"\xff\xfe", b"\xfe\xff",
    b"\xef\xbb\xbf", b"\x00", b"\xc3\x28", b"vbaProject.bin", b"word/document.xml", b"mimetype",
    "WordDocument".encode("utf-16-le"), "Workbook".encode("utf-16-le"), b"\x00asm",
]


def _zip(entries: dict[str, bytes], stored_first: str | None = None, *, flags: int = 0) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in entries.items():
            info = zipfile.ZipInfo(name)
            info.compress_type = zipfile.ZIP_STORED if name == stored_first else zipfile.ZIP_DEFLATED
            info.flag_bits |= flags
            z.writestr(info, data)
    return buf.getvalue()


def seeds() -> list[tuple[str, bytes]]:
    cfb = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100
    out = [
        ("a.pdf", b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"),
        ("a.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 32),
        ("a.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 32),
        ("a.rtf", b"{\\rtf1\\ansi Xin chao}"),
        ("a.txt", "Kính gửi: Sở Nội vụ tỉnh Đắk Lắk".encode()),
        ("a.csv", "mã,tên\n1,Đắk Lắk\n".encode("utf-8-sig")),
        ("a.txt", "Đắk Lắk".encode("utf-16")),
        ("a.doc", cfb + "WordDocument".encode("utf-16-le")),
        ("a.xls", cfb + "Workbook".encode("utf-16-le")),
        ("a.docx", _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})),
        ("a.xlsx", _zip({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>"})),
        ("a.odt", _zip({"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<x/>"}, "mimetype")),
        ("a.ods", _zip({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet", "content.xml": b"<x/>"},
                       "mimetype")),
        ("macro.docx", _zip({"word/document.xml": b"<w/>", "word/vbaProject.bin": b"\x00" * 10})),
        ("bomb.docx", _zip({"word/document.xml": b"<w/>", "big.xml": b"\x00" * (4 * 1024 * 1024)})),
        ("secret.xlsx", _zip({"xl/workbook.xml": b"<w/>"}, flags=0x1)),
        ("virus.pdf", b"MZ\x90\x00" + b"\x00" * 60),
        ("a.txt", b"\x7fELF\x02\x01\x01" + b"\x00" * 40),
    ]
    for path in sorted(CORPUS.glob("*")) if CORPUS.is_dir() else []:
        out.append((path.name.split("-", 2)[-1] if path.name.startswith("crash-") else path.name, path.read_bytes()))
    return out


@st.composite
def mutated(draw: st.DrawFn, pool: list[tuple[str, bytes]]) -> tuple[str, bytes]:
    name, original = draw(st.sampled_from(pool))
    if draw(st.integers(0, 4)) == 0:
        name = "tep." + draw(st.sampled_from(NAMES))
    if original.startswith(b"PK\x03\x04") and draw(st.booleans()):
        remixed = _remix_zip(draw, original)
        if remixed is not None:
            return name, remixed
    data = bytearray(original)
    for _ in range(draw(st.integers(1, 5))):
        if not data:
            data += draw(st.sampled_from(FRAGMENTS))
            continue
        pos = draw(st.integers(0, len(data) - 1))
        op = draw(st.integers(0, 5))
        if op == 0:
            data[pos] = draw(st.integers(0, 255))
        elif op == 1:
            del data[pos:min(len(data), pos + draw(st.integers(1, 200)))]
        elif op == 2:
            data[pos:pos] = draw(st.sampled_from(FRAGMENTS))
        elif op == 3:
            data[pos:pos] = data[pos:min(len(data), pos + draw(st.integers(1, 500)))]
        elif op == 4:
            data[pos:pos] = draw(st.binary(max_size=40))
        else:
            del data[pos:]
    return name, bytes(data)


def _remix_zip(draw: st.DrawFn, original: bytes) -> bytes | None:
    """A well-formed zip whose members are renamed, dropped, added or mutated (None: the seed
    is itself a broken zip, mutated byte-wise instead)."""
    try:
        with zipfile.ZipFile(io.BytesIO(original)) as z:
            entries = {i.filename: z.read(i) for i in z.infolist()}
    except Exception:  # a broken seed from the corpus
        return None
    for _ in range(draw(st.integers(1, 3))):
        op = draw(st.integers(0, 3))
        keys = list(entries)
        if op == 0 and keys:
            entries.pop(draw(st.sampled_from(keys)))
        elif op == 1:
            entries[draw(st.sampled_from(["mimetype", "word/document.xml", "xl/workbook.xml", "x/vbaProject.bin",
                                          "../evil", "a" * 300, "content.xml"]))] = draw(st.binary(max_size=64))
        elif op == 2 and keys:
            entries[draw(st.sampled_from(keys))] = draw(st.binary(max_size=64))
        else:
            entries["big.bin"] = b"\x00" * draw(st.integers(0, 2 * 1024 * 1024))
    return _zip(entries, "mimetype" if "mimetype" in entries else None)


def check(name: str, data: bytes) -> None:
    """The property: FormatError, or an answer that tells the truth about the bytes."""
    try:
        checked = check_file(name, data, LIMITS)
    except FormatError as exc:
        assert exc.code and str(exc.message), "a refusal without a code or a message"
        return
    assert checked.size == len(data) > 0
    assert checked.sha256 == hashlib.sha256(data).hexdigest()
    assert checked.extension in ALLOWED_EXTENSIONS
    assert not data.startswith((b"MZ", b"\x7fELF")), "an executable was accepted"


# Bugs found and reported, pinned by strict xfails in tests/fuzz_regressions/: set aside (unless
# --strict) so the fuzzer keeps looking for new ones. Each: (exception types, function in
# vanban.core.formats that let it escape).
KNOWN: list[tuple[tuple[type[BaseException], ...], str, str]] = []  # none open (zip errors fixed)


def known(exc: BaseException) -> bool:
    frames = traceback.extract_tb(exc.__traceback__)
    for types, function, source in KNOWN:
        if isinstance(exc, types) and any(f.name == function and f.filename.endswith("formats.py")
                                          and source in (f.line or "") for f in frames):
            return True
    return False


def save(name: str, data: bytes) -> Path:
    CORPUS.mkdir(parents=True, exist_ok=True)
    ext = name.rsplit(".", 1)[-1] if "." in name else "bin"
    path = CORPUS / f"crash-{hashlib.sha256(data).hexdigest()[:16]}-x.{ext.replace('/', '_')[:10]}"
    path.write_bytes(data)
    return path


def run(seconds: float, examples: int = 300, *, strict: bool = False, seed: int | None = None) -> int:
    """Rounds of `examples` mutated files until `seconds` are up; with `seed`, round n draws
    from seed + n (replayable, as in CI), without it every run is new (`make fuzz`)."""
    pool = seeds()
    deadline = time.monotonic() + seconds
    rounds = 0
    last: list[tuple[str, bytes]] = []

    @settings(max_examples=examples, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(mutated(pool))
    def one_round(case: tuple[str, bytes]) -> None:
        try:
            check(*case)
        except Exception as exc:
            if not strict and known(exc):
                return
            last[:] = [case]  # hypothesis replays the shrunk example last: keep only that one
            raise

    while True:
        try:
            (one_round if seed is None else hypothesis_seed(seed + rounds)(one_round))()
        except Exception:
            traceback.print_exc()
            print(f"CRASH saved to {save(*last[0])}", file=sys.stderr)
            if seed is not None:
                print(f"replay: --seed {seed} (round {rounds})", file=sys.stderr)
            return 1
        rounds += 1
        if time.monotonic() >= deadline:
            break
    print(f"upload fuzz: {rounds * examples} inputs in {seconds:.0f} s, no unexpected exception")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--strict", action="store_true", help="known (reported) bugs count as crashes too")
    parser.add_argument("--seed", type=int, default=None, help="replayable rounds (CI); random without")
    args = parser.parse_args()
    return run(args.seconds, strict=args.strict, seed=args.seed)


if __name__ == "__main__":
    sys.exit(main())
