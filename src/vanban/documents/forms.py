"""Form parts that outgoing and incoming pages share: the secrecy choices (refused, see
`documents.files.refuse_confidential`), several files in one field, the register book filter."""

from __future__ import annotations

from typing import Any

from django import forms

from vanban.documents.models import DocumentType

CONFIDENTIALITY = [("", "Không mật"), ("Mật", "Mật"), ("Tối mật", "Tối mật"), ("Tuyệt mật", "Tuyệt mật")]


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


class BookFilterForm(forms.Form):
    year = forms.IntegerField(label="Năm", required=False, min_value=1990, max_value=2100)
    document_type = forms.ModelChoiceField(DocumentType.objects.all(), label="Loại", required=False,
                                           to_field_name="code")
    number = forms.IntegerField(label="Số", required=False, min_value=1)
    date_from = forms.DateField(label="Từ ngày", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label="Đến ngày", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    q = forms.CharField(label="Trích yếu, ký hiệu, cơ quan", required=False, max_length=200)
