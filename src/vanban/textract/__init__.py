"""Plain text from attachments (pdf, docx, odt, rtf, txt/csv, xlsx/ods/xls, doc), legacy
Vietnamese repair, and the header of a Nghị định 30/2020 document read from its first page.

Pure: no Django. Used by search indexing (issue 9) and by registration of documents that
did not come as edXML (issue 11).
"""

from __future__ import annotations

from vanban.textract.docx import convert_docx_to_unicode
from vanban.textract.errors import CODES, TextractError
from vanban.textract.extract import FORMATS, extract_text
from vanban.textract.limits import Limits
from vanban.textract.result import Extracted

__all__ = ["CODES", "FORMATS", "Extracted", "Limits", "TextractError", "convert_docx_to_unicode",
           "extract_text"]
