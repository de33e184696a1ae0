"""The periodic report's choice of scope and period."""

from __future__ import annotations

from typing import Any, cast

from django import forms

from vanban.reports import services
from vanban.reports.errors import ReportError
from vanban.reports.periods import Period


class PeriodicForm(forms.Form):
    scope = forms.ChoiceField(label="Phạm vi")
    period = forms.CharField(label="Kỳ báo cáo", required=False, max_length=20,
                             help_text="2026, 2026-Q3, 2026-H1 hoặc 2026-07",
                             widget=forms.TextInput(attrs={"placeholder": "2026-Q3", "size": 10}))
    date_from = forms.DateField(label="Hoặc từ ngày", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label="đến ngày", required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, scopes: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["scope"]).choices = scopes
        self.resolved: Period | None = None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not (data.get("period") or data.get("date_from") or data.get("date_to")):
            raise forms.ValidationError("Chọn kỳ báo cáo (ví dụ 2026-Q3) hoặc khoảng ngày.")
        try:
            self.resolved = services.period_of(data.get("period") or "", data.get("date_from"), data.get("date_to"))
        except ReportError as exc:
            raise forms.ValidationError(exc.message) from exc
        return data
