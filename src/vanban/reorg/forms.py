"""The reorganisation form: codes as typed by an operator, checked by the service."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils import timezone

from vanban.agencies.models import Reorganisation


class ReorganiseForm(forms.Form):
    kind = forms.ChoiceField(label="Việc", choices=Reorganisation.Kind.choices, initial=Reorganisation.Kind.MERGE)
    predecessors = forms.CharField(
        label="Mã định danh cơ quan thôi hoạt động", max_length=400,
        help_text="Một hoặc nhiều mã, cách nhau bởi dấu phẩy hoặc khoảng trắng (đổi mã: chỉ một mã cũ).")
    successor = forms.CharField(label="Mã định danh cơ quan kế thừa (hoặc mã mới)", max_length=13)
    effective_on = forms.DateField(label="Ngày có hiệu lực", widget=forms.DateInput(attrs={"type": "date"}))
    decision = forms.CharField(label="Căn cứ (số, ký hiệu quyết định, nghị quyết)", max_length=300)

    def clean_predecessors(self) -> list[str]:
        codes = [c for c in re.split(r"[\s,;]+", self.cleaned_data["predecessors"]) if c]
        if not codes:
            raise forms.ValidationError("Nhập ít nhất một mã định danh.")
        if len(codes) > 50:
            raise forms.ValidationError("Mỗi lần tổ chức lại tối đa 50 cơ quan.")
        return codes

    def clean_successor(self) -> str:
        return str(self.cleaned_data["successor"]).strip()

    def clean_effective_on(self) -> Any:
        day = self.cleaned_data["effective_on"]
        if day > timezone.localdate():
            raise forms.ValidationError("Chỉ thực hiện khi đã đến ngày có hiệu lực.")
        return day

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("kind") == Reorganisation.Kind.RECODE and len(data.get("predecessors") or []) > 1:
            self.add_error("predecessors", "Đổi mã: chỉ một mã cũ.")
        return data
