"""A form field that offers people by name (and position), never by login."""

from __future__ import annotations

from typing import Any

from django import forms


class PersonChoiceField(forms.ModelChoiceField):
    """Users listed as people see them: "Đặng Thị Thu — Chuyên viên" rather than "chuyenvien.snv"."""

    def __init__(self, *args: Any, with_position: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.with_position = with_position

    def label_from_instance(self, obj: Any) -> str:
        name: str = obj.display_name()
        return f"{name} — {obj.position}" if self.with_position and obj.position else name
