"""Preservation copies in PDF/A-2b for the AIP (TT 05/2025/TT-BNV: the archive keeps formats a
reader can open in decades; the original is always kept beside its copy).

Word, OpenDocument and RTF go through LibreOffice headless (`textract.topdf`, the same isolated
run that makes drafts signable), JPEG and PNG are wrapped losslessly in a PDF (img2pdf), and the
PDF is rewritten as PDF/A-2b by Ghostscript with an sRGB output intent. Ghostscript reads user
files, so it runs with -dSAFER, without network where the kernel allows it, in its own process
group killed on timeout. The copy's PDF/A claim is read back (`pdfinfo`): a copy that does not
claim PDF/A is refused, not kept. Anything else (edXML packages, spreadsheets, text) is named
with a reason and kept only as the original. No Django.
"""

from __future__ import annotations

import functools
import glob
import os
import shutil
import signal
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from vanban.records.pdfinfo import inspect_pdf
from vanban.textract import topdf
from vanban.textract.errors import TextractError
from vanban.textract.ocr import images_to_pdf

GS_TIMEOUT = 300.0
IMAGE_TYPES = frozenset({"image/jpeg", "image/png"})
KIND_LABELS = {"xlsx": "Bảng tính (xlsx)", "xls": "Bảng tính (xls)", "ods": "Bảng tính (ods)",
               "txt": "Tệp văn bản thuần (txt)", "xml": "Tệp XML", "zip": "Tệp nén (zip)"}


class NotConvertedError(Exception):
    """Why a file has no PDF/A copy (Vietnamese, shown on the dossier page and in PREMIS)."""

    def __init__(self, code: str, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


@dataclass(frozen=True)
class Copy:
    pdf: bytes
    pdfa: str  # the claim read back, e.g. "2B"
    tools: tuple[str, ...]  # "LibreOffice 7.4.7.2", "Ghostscript 10.00.0" — PREMIS agents


def _ext(name: str) -> str:
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def needs_copy(name: str, content_type: str, data: bytes, *, is_edxml: bool = False) -> bool:
    """False for a PDF that already claims PDF/A; True for everything else (which may still be
    refused by `make_copy`, with its reason)."""
    if is_edxml:
        return True
    if content_type == "application/pdf" or _ext(name) == "pdf":
        info = inspect_pdf(data)
        return info is None or not info.is_pdfa
    return True


def tools_for(name: str, content_type: str) -> tuple[str, ...]:
    """The tools (with versions) `make_copy` would use for this file now: a copy made earlier by
    exactly these may be reused instead of converting again (records/aip.py)."""
    ext = _ext(name)
    if ext in topdf.CONVERTIBLE:
        return (libreoffice_version(), ghostscript_version())
    if content_type == "application/pdf" or ext == "pdf":
        return (ghostscript_version(),)
    if content_type in IMAGE_TYPES or ext in ("jpg", "jpeg", "png"):
        return (img2pdf_version(), ghostscript_version())
    return ()


def make_copy(name: str, content_type: str, data: bytes, *, is_edxml: bool = False) -> Copy:
    """A PDF/A-2b copy of the file, or NotConvertedError with the reason."""
    ext = _ext(name)
    if is_edxml:
        raise NotConvertedError("EDXML", "Gói tin edXML gốc là bằng chứng trao đổi văn bản (XML có chữ ký số): giữ "
                                    "nguyên, không chuyển đổi.")
    tools: tuple[str, ...] = ()
    if ext in topdf.CONVERTIBLE:
        try:
            pdf = topdf.to_pdf(name, data)
        except topdf.ConversionError as exc:
            raise NotConvertedError(exc.code, exc.message) from exc
        tools = (libreoffice_version(),)
    elif content_type == "application/pdf" or ext == "pdf":
        pdf = data
    elif content_type in IMAGE_TYPES or ext in ("jpg", "jpeg", "png"):
        try:
            pdf = images_to_pdf([data])
        except TextractError as exc:
            raise NotConvertedError("IMAGE_UNREADABLE", f"Ảnh {name} không đọc được để chuyển sang PDF/A "
                                                   f"({exc}).") from exc
        tools = (img2pdf_version(),)
    else:
        label = KIND_LABELS.get(ext, f"Định dạng .{ext}" if ext else "Tệp không đuôi")
        raise NotConvertedError("FORMAT_NOT_CONVERTED", f"{label} chưa có công cụ chuyển sang PDF/A đáng tin cậy: "
                                                   "giữ bản gốc.")
    result = to_pdfa(pdf, name)
    info = inspect_pdf(result)
    if info is None or not info.is_pdfa:
        raise NotConvertedError("NOT_PDFA", f"Bản chuyển từ {name} không mang tuyên bố PDF/A: không dùng làm bản bảo "
                                       "quản.")
    return Copy(result, info.pdfa, (*tools, ghostscript_version()))


def _icc_profile() -> str:
    """Ghostscript's own sRGB profile (Debian ships it in /usr/share/ghostscript/<version>/)."""
    custom = os.environ.get("VANBAN_SRGB_ICC", "")
    if custom and Path(custom).is_file():
        return custom
    found = sorted(glob.glob("/usr/share/ghostscript/*/iccprofiles/srgb.icc")) + sorted(
        glob.glob("/usr/share/color/icc/ghostscript/srgb.icc"))
    if not found:
        raise NotConvertedError("CONVERTER_MISSING", "Máy chủ thiếu hồ sơ màu sRGB của Ghostscript để lập bản PDF/A.")
    return found[-1]


# The PDF/A output intent as Ghostscript's manual describes it (pdfmark operators): sRGB.
_PDFA_DEF = """%!
/ICCProfile ({icc}) def
[/_objdef {{icc_PDFA}} /type /stream /OBJ pdfmark
[{{icc_PDFA}} <</N 3>> /PUT pdfmark
[{{icc_PDFA}} ICCProfile (r) file /PUT pdfmark
[/_objdef {{OutputIntent_PDFA}} /type /dict /OBJ pdfmark
[{{OutputIntent_PDFA}} <</Type /OutputIntent /S /GTS_PDFA1 /DestOutputProfile {{icc_PDFA}}
  /OutputConditionIdentifier (sRGB)>> /PUT pdfmark
[{{Catalog}} <</OutputIntents [ {{OutputIntent_PDFA}} ]>> /PUT pdfmark
"""


def to_pdfa(pdf: bytes, name: str, *, timeout: float = GS_TIMEOUT) -> bytes:
    """Rewrite a PDF as PDF/A-2b with Ghostscript (signatures are not carried over: the signed
    original stays in the package)."""
    exe = shutil.which(os.environ.get("VANBAN_GHOSTSCRIPT") or "gs")
    if exe is None:
        raise NotConvertedError("CONVERTER_MISSING", "Máy chủ chưa cài Ghostscript để lập bản PDF/A.")
    icc = _icc_profile()
    with tempfile.TemporaryDirectory(prefix="vanban-pdfa-") as tmp:
        work = Path(tmp)
        (work / "pdfa.ps").write_text(_PDFA_DEF.format(icc=icc.replace("\\", "\\\\").replace("(", "\\(")
                                                       .replace(")", "\\)")), encoding="ascii")
        (work / "in.pdf").write_bytes(pdf)
        command = [*topdf.isolation(), exe, "-dPDFA=2", "-dBATCH", "-dNOPAUSE", "-dQUIET", "-dSAFER",
                   f"--permit-file-read={Path(icc).parent}/", "-sColorConversionStrategy=RGB",
                   "-sDEVICE=pdfwrite", "-dPDFACompatibilityPolicy=1", f"-sOutputFile={work / 'out.pdf'}",
                   str(work / "pdfa.ps"), str(work / "in.pdf")]
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": tmp, "LANG": "C.UTF-8"}
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,  # noqa: S603
                                   cwd=tmp, start_new_session=True)  # fixed program; the file is data
        try:
            _, err = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
            raise NotConvertedError("CONVERSION_TIMEOUT", f"Chuyển {name} sang PDF/A quá {timeout:.0f} giây.") from None
        out = work / "out.pdf"
        if process.returncode != 0 or not out.is_file() or out.stat().st_size == 0:
            detail = err.decode("utf-8", "replace").strip().splitlines()[-1:] or [""]
            said = f": {detail[0][:200]}" if detail[0] else ""
            raise NotConvertedError("CONVERSION_FAILED", f"Ghostscript không chuyển được {name} sang PDF/A (tệp "
                                                         f"hỏng, mã hóa hoặc không đọc được){said}.")
        if out.stat().st_size > topdf.MAX_PDF_BYTES:
            raise NotConvertedError("CONVERSION_TOO_LARGE", f"Bản PDF/A chuyển từ {name} quá lớn.")
        return out.read_bytes()


def _version_of(command: list[str]) -> str:
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)  # noqa: S603
    except (OSError, subprocess.SubprocessError):
        return ""
    return done.stdout.strip().splitlines()[0] if done.stdout.strip() else ""


@functools.cache
def ghostscript_version() -> str:
    exe = shutil.which(os.environ.get("VANBAN_GHOSTSCRIPT") or "gs") or "gs"
    return f"Ghostscript {_version_of([exe, '--version']) or 'không rõ phiên bản'}"


@functools.cache
def libreoffice_version() -> str:
    """'LibreOffice 7.4.7.2' from `soffice --version` (the build hash dropped)."""
    exe = topdf.converter() or "soffice"
    words = _version_of([exe, "--version"]).split()
    return " ".join(words[:2]) if len(words) >= 2 else "LibreOffice"


@functools.cache
def img2pdf_version() -> str:
    try:
        import img2pdf  # noqa: PLC0415 - img2pdf (and Pillow) are slow to import; only scanned pages need them

        return f"img2pdf {img2pdf.__version__}"
    except ImportError:  # pragma: no cover - a dependency
        return "img2pdf"
