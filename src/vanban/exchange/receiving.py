"""What the exchange hands to the app that keeps documents, and asks of it — declared here so
that the exchange imports no such app (docs/architecture.md: the exchange sits below
`documents`). The documents app registers its `Receiver` in `DocumentsConfig.ready`."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol

from vanban.agencies.models import Agency


@dataclass(frozen=True)
class ArrivalFile:
    name: str
    data: bytes
    content_type: str


@dataclass
class Arrival:
    """What the exchange hands over for one recipient agency of a received package."""

    agency: Agency
    sender_code: str
    sender_name: str
    external_id: str
    type_name: str
    notation: str
    number: int | None
    promulgation_date: date | None
    place: str
    subject: str
    content: str = ""
    signer_name: str = ""
    signer_position: str = ""
    signer_competence: str = ""
    priority: int = 0
    due_on: date | None = None
    steering_type: int = 0
    sphere: str = ""
    paper_copy: bool = False
    files: list[ArrivalFile] = field(default_factory=list)
    package_sha256: str = ""
    verification: dict[str, Any] = field(default_factory=dict)
    responds_to: list[tuple[str, str]] = field(default_factory=list)  # ResponseFor: (OrganId, DocumentId)


@dataclass(frozen=True)
class IssuedDocumentRef:
    """An issued document a status package speaks of: its id, and the agency that issued it."""

    pk: int
    agency_code: str


class Receiver(Protocol):
    def register_arrival(self, arrival: Arrival) -> object:
        """Make the arrival (and answer 01); in the caller's transaction."""

    def void_revoked(self, *, agency: Agency, sender_code: str, external_id: str, reason: str) -> object:
        """The sender revoked a document this agency received: void it (and answer 15)."""

    def outgoing_document(self, *, agency_code: str, identifier_code: str) -> IssuedDocumentRef | None:
        """The issued document a status is about, if this installation issued it."""


_receivers: list[Callable[[], Receiver]] = []  # how to make the one registered by the incoming app


def provide_receiver(factory: Callable[[], Receiver]) -> None:
    """Register how the receiver is made; it is made at the first arrival, so that a start-up
    (every CLI command, every worker) does not import the incoming services."""
    _receivers[:] = [functools.cache(factory)]


def receiver() -> Receiver:
    if not _receivers:
        raise RuntimeError("No app receives documents here (the documents app is not installed).")
    return _receivers[0]()
