"""The Django side of `vanban.core.sealing`: the process's sealer and a model field that
keeps its value sealed in the database (plain in Python, ``vbs1:…`` in the row)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import models

from vanban.core.sealing import Sealer, is_sealed, process_sealer


def sealer() -> Sealer:
    """The installation's KEK; a KEK file inside the data directory is refused."""
    return process_sealer(settings.DATA_DIR)


class SealedTextField(models.TextField):
    """A secret sealed at rest. Reading a row unseals it; saving seals it again.

    A legacy plaintext value (before the sealing migration) reads as itself, so a half-
    migrated database keeps working; `vanban keys rotate` seals what is left."""

    description = "secret sealed with the key-encryption key"

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        if value is None or not is_sealed(value):
            return value
        return sealer().unseal(value)

    def to_python(self, value: Any) -> Any:
        if isinstance(value, str) and is_sealed(value):
            return sealer().unseal(value)
        return value

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or value == "" or is_sealed(value):
            return value
        return sealer().seal(value)


@dataclass(frozen=True)
class SealedColumn:
    """A column holding a sealed secret, registered by the app that owns it (AppConfig.ready):
    `vanban keys` counts and re-seals every registered column without importing those apps."""

    label: str  # Vietnamese, shown by `vanban keys status`
    model: type[models.Model]
    column: str
    reveal: Callable[[Any], str | None] | None = None  # plain value from the attribute; default: as read

    def plain(self, obj: models.Model) -> str | None:
        value = getattr(obj, self.column)
        return self.reveal(value) if self.reveal else value


_SEALED_COLUMNS: dict[str, SealedColumn] = {}


def register_sealed_column(column: SealedColumn) -> None:
    _SEALED_COLUMNS[f"{column.model._meta.label}.{column.column}"] = column


def sealed_columns() -> list[SealedColumn]:
    return list(_SEALED_COLUMNS.values())
