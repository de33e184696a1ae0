"""PRONOM format identifiers (the UK National Archives' registry that archives and E-ARK
validators read) for the files of an archive package, by fido with DROID signature file v109:
byte signatures first, then container signatures (docx, odt), the extension last. No Django.

fido is made for files on disk (its stream reader waits for more input), so the bytes go
through a temporary file; it keeps state per call, so calls are serialised."""

from __future__ import annotations

import functools
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fido.fido import Fido

FORMAT_FILES = ["formats-v109.xml", "format_extensions.xml"]
_LOCK = threading.Lock()


@dataclass(frozen=True)
class Puid:
    key: str  # e.g. fmt/276
    name: str  # PRONOM's format name
    basis: str  # signature, container or extension


class _Collector:
    def __init__(self) -> None:
        self.found: list[Puid] = []

    def __call__(self, fullname: str, matches: list[tuple[Any, Any]], delta_t: float, matchtype: str = "") -> None:
        for fmt, _ in matches:
            puid, name = fmt.find("puid"), fmt.find("name")
            if puid is not None and puid.text:
                self.found.append(Puid(puid.text, (name.text or "") if name is not None else "", matchtype))


@functools.cache  # loading the signatures takes a moment: once per process
def _fido() -> tuple[Any, _Collector]:
    collector = _Collector()
    return Fido(quiet=True, handle_matches=collector, format_files=FORMAT_FILES), collector


def identify(data: bytes, name: str) -> Puid | None:
    """The best PRONOM match for these bytes (named `name`), or None."""
    suffix = Path(name).suffix.lower()[:10] if "." in name else ""
    with _LOCK, tempfile.TemporaryDirectory(prefix="vanban-pronom-") as tmp:
        path = Path(tmp) / f"tep{suffix}"
        path.write_bytes(data)
        fido, collector = _fido()
        collector.found = []
        try:
            fido.identify_file(str(path))
        except Exception:  # fido lets zlib and OLE errors of damaged files escape
            return None  # an unidentified file is written without a registry key, never a failed export
        found = list(collector.found)
    return found[0] if found else None
