"""What `parse_package` returns: the model, the attachments (decoded on demand) and warnings."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Literal

from vanban.edxml.errors import EdxmlWarning
from vanban.edxml.limits import Limits
from vanban.edxml.model import Attachment, DocumentPackage, StatusPackage
from vanban.edxml.payload import EncodedSource, decode_payload

__all__ = ["ParsedAttachment", "ParsedPackage"]


@dataclass(frozen=True, slots=True)
class ParsedAttachment:
    """One received file; its bytes stay in the received buffer until `read()` is called.

    `name` is safe as a file name; `original_name` is what the sender wrote.
    `size` and `sha256` describe the file itself (after unzipping), checked while parsing.
    """

    name: str
    original_name: str
    content_type: str
    description: str
    content_id: str
    size: int
    sha256: str
    zipped: bool
    source: EncodedSource = field(repr=False, compare=False)
    limits: Limits = field(repr=False, compare=False)
    unwrap: bool = field(default=True, repr=False, compare=False)

    def read(self) -> bytes:
        """Decode again from the buffer: memory holds one file only while the caller needs it."""
        facts, data = decode_payload(self.source, self.limits, element="ContentTransferEncoded",
                                     keep=True, unwrap=self.unwrap)
        assert data is not None and facts.sha256 == self.sha256
        return data

    def to_attachment(self) -> Attachment:
        return Attachment(
            name=self.name,
            data=self.read(),
            content_type=self.content_type,
            description=self.description,
            content_id=self.content_id,
        )


@dataclass(frozen=True, slots=True)
class ParsedPackage:
    """A read package: `document` or `status` is set according to `kind`."""

    kind: Literal["document", "status"]
    document: DocumentPackage | None
    status: StatusPackage | None
    attachments: tuple[ParsedAttachment, ...]
    warnings: tuple[EdxmlWarning, ...]
    signed: bool

    def materialize(self) -> DocumentPackage:
        """The document with every attachment's bytes loaded (use for small packages)."""
        if self.document is None:
            raise ValueError("Gói tin trạng thái không có văn bản")
        return dataclasses.replace(
            self.document, attachments=tuple(a.to_attachment() for a in self.attachments)
        )
