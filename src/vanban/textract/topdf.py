"""Word, OpenDocument and RTF drafts to PDF with LibreOffice headless, so a leader can sign
what the specialist typed (PAdES signs PDF only; QĐ 16/2019 allows doc/docx/odt/rtf); the
same isolated run (`convert`) turns a .doc the built-in Word 97 reader cannot read into .docx
for text extraction.

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
    if converter() is None:
        raise ConversionError("CONVERTER_MISSING", "Máy chủ chưa cài LibreOffice để chuyển tệp Word, ODT, RTF sang "
                                                   "PDF: hãy tải lên văn bản chính dạng PDF.")
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if ext not in CONVERTIBLE:
        raise ConversionError("CONVERSION_UNSUPPORTED", f"Không chuyển được tệp .{ext} sang PDF.")
    result = convert(name, data, ext, "pdf", timeout=timeout, max_bytes=MAX_PDF_BYTES,
                     advice="hãy tải lên bản PDF")
    if not result.startswith(b"%PDF-"):
        raise ConversionError("CONVERSION_FAILED", f"Không chuyển được {name} sang PDF.")
    return result


def convert(name: str, data: bytes, source_ext: str, target: str, *, timeout: float, max_bytes: int,
            infilter: str | None = None, advice: str = "") -> bytes:
    """One isolated LibreOffice run: `data`, read as a .`source_ext` file (or through `infilter`),
    saved as `target` (pdf, docx, …); the bytes of the result, at most `max_bytes`. `name` is
    the user's file name, for the messages; `advice` ends the timeout message."""
    exe = converter()
    label = target.upper()
    if exe is None:
        raise ConversionError("CONVERTER_MISSING", f"Máy chủ chưa cài LibreOffice để chuyển {name} sang {label}.")
    with tempfile.TemporaryDirectory(prefix="vanban-soffice-") as tmp:
        work = Path(tmp)
        source, out = work / f"source.{source_ext}", work / "out"
        source.write_bytes(data)
        command = [*isolation(), exe, "--headless", "--norestore", "--nolockcheck", "--nologo", "--nodefault",
                   f"-env:UserInstallation={(work / 'profile').as_uri()}",
                   *([f"--infilter={infilter}"] if infilter else []), "--convert-to", target,
                   "--outdir", str(out), str(source)]
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": tmp, "LANG": "C.UTF-8"}
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,  # noqa: S603
                                   cwd=tmp, start_new_session=True)  # fixed program; the file is data, not args
        try:
            _, err = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
            raise ConversionError("CONVERSION_TIMEOUT", f"Chuyển {name} sang {label} quá {timeout:.0f} giây"
                                                        f"{': ' + advice if advice else ''}.") from None
        result = out / f"source.{target.split(':', 1)[0]}"
        if process.returncode != 0 or not result.is_file():
            detail = err.decode("utf-8", "replace").strip().splitlines()[-1:] or [""]
            raise ConversionError("CONVERSION_FAILED", f"Không chuyển được {name} sang {label} (tệp hỏng hoặc không "
                                                       f"đọc được){': ' + detail[0][:200] if detail[0] else ''}.")
        if result.stat().st_size > max_bytes:
            raise ConversionError("CONVERSION_TOO_LARGE", f"Bản {label} chuyển từ {name} quá lớn.")
        return result.read_bytes()
