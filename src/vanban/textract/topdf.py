"""Word, OpenDocument and RTF drafts to PDF with LibreOffice headless, so a leader can sign
what the specialist typed (PAdES signs PDF only; QĐ 16/2019 allows doc/docx/odt/rtf).

The file comes from a user, so LibreOffice runs in a throw-away profile (no macros, no shared
state between conversions), in its own process group killed on timeout, without network where
the kernel allows an unprivileged network namespace (`unshare -rn`: a document cannot make
the server fetch a linked image), and the result must be a PDF of bounded size. No Django.
"""

from __future__ import annotations

import functools
import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

CONVERTIBLE = frozenset({"docx", "doc", "odt", "rtf"})
TIMEOUT_SECONDS = 120.0
MAX_PDF_BYTES = 100 * 1024 * 1024


class ConversionError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def converter() -> str | None:
    """The LibreOffice program (`VANBAN_SOFFICE` or `soffice` on the PATH), or None."""
    return shutil.which(os.environ.get("VANBAN_SOFFICE") or "soffice")


@functools.cache
def isolation() -> tuple[str, ...]:
    """`unshare -rn` when this kernel lets an unprivileged process drop the network, else nothing."""
    unshare = shutil.which("unshare")
    if unshare is None:
        return ()
    try:
        probe = subprocess.run([unshare, "-rn", "true"], check=False, capture_output=True, timeout=10)  # noqa: S603
        ok = probe.returncode == 0
    except (OSError, subprocess.SubprocessError):
        ok = False
    return (unshare, "-rn") if ok else ()


def to_pdf(name: str, data: bytes, *, timeout: float = TIMEOUT_SECONDS) -> bytes:
    exe = converter()
    if exe is None:
        raise ConversionError("CONVERTER_MISSING", "Máy chủ chưa cài LibreOffice để chuyển tệp Word, ODT, RTF sang "
                                                   "PDF: hãy tải lên văn bản chính dạng PDF.")
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if ext not in CONVERTIBLE:
        raise ConversionError("CONVERSION_UNSUPPORTED", f"Không chuyển được tệp .{ext} sang PDF.")
    with tempfile.TemporaryDirectory(prefix="vanban-topdf-") as tmp:
        work = Path(tmp)
        source, out = work / f"source.{ext}", work / "out"
        source.write_bytes(data)
        command = [*isolation(), exe, "--headless", "--norestore", "--nolockcheck", "--nologo", "--nodefault",
                   f"-env:UserInstallation={(work / 'profile').as_uri()}", "--convert-to", "pdf",
                   "--outdir", str(out), str(source)]
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": tmp, "LANG": "C.UTF-8"}
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,  # noqa: S603
                                   cwd=tmp, start_new_session=True)  # fixed program; the file is data, not args
        try:
            _, err = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
            raise ConversionError("CONVERSION_TIMEOUT", f"Chuyển {name} sang PDF quá {timeout:.0f} giây: "
                                                        "hãy tải lên bản PDF.") from None
        pdf = out / "source.pdf"
        if process.returncode != 0 or not pdf.is_file():
            detail = err.decode("utf-8", "replace").strip().splitlines()[-1:] or [""]
            raise ConversionError("CONVERSION_FAILED", f"Không chuyển được {name} sang PDF (tệp hỏng hoặc không "
                                                       f"đọc được){': ' + detail[0][:200] if detail[0] else ''}.")
        if pdf.stat().st_size > MAX_PDF_BYTES:
            raise ConversionError("CONVERSION_TOO_LARGE", f"Bản PDF chuyển từ {name} quá lớn.")
        result = pdf.read_bytes()
    if not result.startswith(b"%PDF-"):
        raise ConversionError("CONVERSION_FAILED", f"Không chuyển được {name} sang PDF.")
    return result
