"""One-part `multipart/form-data` body for sendEdoc (part `file_doc`, application/octet-stream)."""

from __future__ import annotations

import uuid

PART_NAME = "file_doc"


def file_doc_body(data: bytes, filename: str = "edoc.edxml") -> tuple[bytes, str]:
    """The body and its Content-Type header value."""
    boundary = f"vanban-vxp-{uuid.uuid4().hex}"
    safe = filename.replace('"', "").replace("\r", "").replace("\n", "") or "edoc.edxml"
    head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"{PART_NAME}\"; filename=\"{safe}\"\r\n"
            "Content-Type: application/octet-stream\r\n\r\n").encode()
    return head + data + f"\r\n--{boundary}--\r\n".encode("ascii"), f"multipart/form-data; boundary={boundary}"
