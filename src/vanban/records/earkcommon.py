"""Names shared by the E-ARK package writer (SIP, AIP, DIP), checker and reader (no Django: the
checker must work on a package alone, on any machine).

Layout (E-ARK CSIP v2 folders; an AIP adds representations/rep2, the PDF/A preservation copies):

    <OBJID>/METS.xml
    <OBJID>/metadata/descriptive/hoso.xml        TT 02/2019 fields of the dossier and items
    <OBJID>/metadata/preservation/premis.xml     objects + fixity, events, signature reports
    <OBJID>/metadata/other/audit-events.json     the dossier's audit events (hash chain links)
    <OBJID>/representations/rep1/data/<NNNNNNN>/<file>   each item's files and edXML packages
"""

from __future__ import annotations

import hashlib
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path, PurePosixPath

from lxml import etree

from vanban.core.safezip import SafeZip, ZipLimits, ZipRefusedError

METS_NS = "http://www.loc.gov/METS/"
XLINK_NS = "http://www.w3.org/1999/xlink"
CSIP_NS = "https://DILCIS.eu/XML/METS/CSIPExtensionMETS"
SIP_NS = "https://DILCIS.eu/XML/METS/SIPExtensionMETS"
PREMIS_NS = "http://www.loc.gov/premis/v3"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
HOSO_NS = "urn:vanban:luu-tru:tt02-2019"
VANBAN_NS = "urn:vanban:premis-extension"

METS_FILE = "METS.xml"
DESCRIPTIVE = "metadata/descriptive/hoso.xml"
PREMIS = "metadata/preservation/premis.xml"
AUDIT = "metadata/other/audit-events.json"
DATA = "representations/rep1/data"
REP_METS = "representations/rep1/METS.xml"
DOCUMENTATION = "documentation/doc-goi-luu-tru.txt"
SCHEMA = "schemas/hoso.xsd"
TT05_EAD = "metadata/descriptive/EAD.xml"  # TT 05/2025's dossier metadata (records/tt05.py)
DUBLIN_CORE = "metadata/descriptive/dc.xml"
TT05_SCHEMAS = ("schemas/EAD.xsd", "schemas/EAD_doc.xsd")
PROFILE = "https://earksip.dilcis.eu/profile/E-ARK-SIP.xml"
# The METS @PROFILE of each OAIS package type (CSIP 2.1; the DIP rules check their own).
PROFILES = {"SIP": PROFILE, "AIP": "https://earkaip.dilcis.eu/profile/E-ARK-AIP.xml",
            "DIP": "https://earkdip.dilcis.eu/profile/E-ARK-DIP.xml"}

MAX_XML = 64 * 1024 * 1024
PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
                         remove_blank_text=True)


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def object_id(file_code: str, kind: str = "sip") -> str:
    return f"vanban-{kind}-" + re.sub(r"[^0-9A-Za-z.\-]", "-", file_code)


def rep_data(rep: str) -> str:
    """representations/<rep>/data, where a representation's files live."""
    return f"representations/{rep}/data"


def rep_descriptive(rep: str) -> str:
    """representations/<rep>/metadata/descriptive: TT 05's EAD_doc file of each document."""
    return f"representations/{rep}/metadata/descriptive"


def rep_mets(rep: str) -> str:
    return f"representations/{rep}/METS.xml"


def safe_name(name: str) -> str:
    """A file name that is safe in a path on every system (keeps Vietnamese letters)."""
    base = PurePosixPath(name.replace("\\", "/")).name
    cleaned = re.sub(r'[\x00-\x1f<>:"/\\|?*]', "_", base).strip(" .")
    return cleaned[:150] or "tep"


# An archive package may hold many large scans; the guard here is the per-member ratio (a
# bomb), the member count and the paths; the byte budget only stops a runaway reader.
PACKAGE_ZIP_LIMITS = ZipLimits(max_members=200_000, max_total_bytes=1024**4)
_ZIP_CODES = {"unsafe_path": "PACKAGE_UNSAFE_PATH", "bomb": "PACKAGE_ZIP_BOMB", "missing": "PACKAGE_FILE_MISSING",
              "encrypted": "PACKAGE_ENCRYPTED"}


def _refused(exc: ZipRefusedError) -> PackageError:
    """A refusal of the zip guard as this reader's error (its code, a Vietnamese message)."""
    return PackageError(_ZIP_CODES.get(exc.reason, "PACKAGE_BAD_ZIP"), f"Gói lưu trữ bị từ chối: {exc.detail}")


class PackageError(ValueError):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class Package:
    """Read access to a package as a folder or a ZIP (one top folder), paths relative to it."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._zip: SafeZip | None = None
        self._prefix = ""
        if self.path.is_dir():
            root = self.path
            if not (root / METS_FILE).is_file():
                subs = [p for p in root.iterdir() if p.is_dir() and (p / METS_FILE).is_file()]
                if len(subs) == 1:
                    root = subs[0]
            self.root = root
        elif zipfile.is_zipfile(self.path):
            try:
                self._zip = SafeZip(self.path, PACKAGE_ZIP_LIMITS)
            except ZipRefusedError as exc:
                raise _refused(exc) from exc
            names = [info.filename for info in self._zip.infos]
            if METS_FILE not in names:
                tops = {PurePosixPath(n).parts[0] for n in names if PurePosixPath(n).parts}
                if len(tops) == 1:
                    self._prefix = tops.pop() + "/"
            self.root = self.path
        else:
            raise PackageError("PACKAGE_NOT_FOUND", f"Không phải thư mục hoặc tệp ZIP: {self.path}")

    def close(self) -> None:
        if self._zip is not None:
            self._zip.close()

    def __enter__(self) -> Package:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def files(self) -> Iterator[str]:
        if self._zip is not None:
            for info in self._zip.infos:
                if not info.is_dir() and info.filename.startswith(self._prefix):
                    yield info.filename[len(self._prefix):]
        else:
            for p in sorted(self.root.rglob("*")):
                if p.is_file():
                    yield p.relative_to(self.root).as_posix()

    def exists(self, rel: str) -> bool:
        if not _safe_rel(rel):
            return False
        if self._zip is not None:
            return self._zip.has(self._prefix + rel)
        return (self.root / rel).is_file()

    def read(self, rel: str) -> bytes:
        if not _safe_rel(rel):
            raise PackageError("PACKAGE_UNSAFE_PATH", f"Đường dẫn không an toàn: {rel}")
        if self._zip is not None:
            try:
                return self._zip.read(self._prefix + rel)
            except ZipRefusedError as exc:
                raise _refused(exc) from exc
        return (self.root / rel).read_bytes()

    def size(self, rel: str) -> int:
        if self._zip is not None:
            try:
                return self._zip.size(self._prefix + rel)
            except ZipRefusedError as exc:
                raise _refused(exc) from exc
        return (self.root / rel).stat().st_size

    def sha256(self, rel: str) -> str:
        h = hashlib.sha256()
        if self._zip is not None:
            try:
                for chunk in self._zip.chunks(self._prefix + rel):
                    h.update(chunk)
            except ZipRefusedError as exc:
                raise _refused(exc) from exc
        else:
            with (self.root / rel).open("rb") as fh:
                for chunk in iter(lambda: fh.read(1024 * 1024), b""):
                    h.update(chunk)
        return h.hexdigest()

    def xml(self, rel: str) -> etree._Element:
        if self.size(rel) > MAX_XML:
            raise PackageError("PACKAGE_XML_TOO_LARGE", f"{rel} quá lớn.")
        try:
            return etree.fromstring(self.read(rel), PARSER)
        except etree.XMLSyntaxError as exc:
            raise PackageError("PACKAGE_BAD_XML", f"{rel} không phải XML hợp lệ: {exc}") from exc


def _safe_rel(rel: str) -> bool:
    parts = PurePosixPath(rel).parts
    return bool(parts) and not rel.startswith("/") and ".." not in parts and "\\" not in rel
