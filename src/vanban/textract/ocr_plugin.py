"""OCRmyPDF plugin: per-page progress of `vanban.textract.ocr.make_searchable`."""

from __future__ import annotations

from ocrmypdf import hookimpl

from vanban.textract.ocr import _ProgressBar
from vanban.textract.ocr import get_progressbar_class as _progressbar_class


@hookimpl
def get_progressbar_class() -> type[_ProgressBar]:
    return _progressbar_class()
