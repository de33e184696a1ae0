"""The search box and its filters, shared by the page (GET) and checked like any input."""

from __future__ import annotations

from typing import Any, cast

from django import forms

from vanban.agencies.models import Agency
from vanban.documents.models import Document, DocumentType
from vanban.search.queries import Filters

SORTS = [("relevance", "Phù hợp nhất"), ("date", "Mới nhất")]


class SearchForm(forms.Form):
    q = forms.CharField(label="Từ khóa", required=False, max_length=300,
                        widget=forms.TextInput(attrs={"type": "search", "autofocus": True,
                                                      "placeholder": "số, ký hiệu, trích yếu, nội dung…"}))
    direction = forms.ChoiceField(label="Loại sổ", required=False,
                                  choices=[("", "Tất cả"), *Document.Direction.choices])
    year = forms.IntegerField(label="Năm", required=False, min_value=1945, max_value=2100)
    document_type = forms.ModelChoiceField(DocumentType.objects.all(), label="Loại văn bản", required=False,
                                           to_field_name="code", empty_label="Tất cả")
    agency = forms.ModelChoiceField(Agency.objects.none(), label="Cơ quan", required=False,
                                    to_field_name="code", empty_label="Tất cả cơ quan của tôi")
    state = forms.ChoiceField(label="Trạng thái", required=False, choices=[("", "Tất cả"), *Document.State.choices])
    overdue = forms.BooleanField(label="Quá hạn xử lý", required=False)
    sort = forms.ChoiceField(label="Sắp xếp", required=False, choices=SORTS)
    page = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def __init__(self, *args: Any, agency_ids: list[int] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["agency"]).queryset = Agency.objects.filter(pk__in=agency_ids or [])

    def filters(self) -> Filters:
        data = self.cleaned_data
        return Filters(direction=data.get("direction") or "", year=data.get("year"),
                       document_type=data["document_type"].code if data.get("document_type") else "",
                       agency=data["agency"].code if data.get("agency") else "",
                       state=data.get("state") or "", overdue=bool(data.get("overdue")))
