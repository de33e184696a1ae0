"""Write a large package to disk in chunks, so the test process itself stays small."""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path

from tests.edxml.samples import sample_document
from vanban.edxml import Attachment, build_package

BLOCK = bytes((i * 7919 + 13) % 251 for i in range(3 * 1024 * 341))  # ~1 MiB, multiple of 3


def write_large_package(path: Path, files: int, mib_each: int) -> list[str]:
    """Plain-base64 attachments of `mib_each` MiB; returns the files' sha256."""
    template = build_package(sample_document(*(Attachment(f"tep-{i}.bin", bytes([i]), content_id=f"c{i}")
                                                 for i in range(files))))
    parts = re.split(rb"(<edXML:ContentTransferEncoded[^>]*>)[^<]*(</edXML:ContentTransferEncoded>)", template)
    digests = []
    encoded = base64.b64encode(BLOCK)
    with open(path, "wb") as fh:
        fh.write(parts[0])
        for i in range(files):
            fh.write(parts[1 + 3 * i])
            digest = hashlib.sha256()
            for _ in range(mib_each):
                fh.write(encoded)
                digest.update(BLOCK)
            digests.append(digest.hexdigest())
            fh.write(parts[2 + 3 * i])
            fh.write(parts[3 + 3 * i])
    return digests
