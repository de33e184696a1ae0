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
    successor = forms.CharField(label="Mã định danh cơ quan kế thừa (hoặc mã mới)", max_length=13, required=False)
    effective_on = forms.DateField(label="Ngày có hiệu lực", widget=forms.DateInput(attrs={"type": "date"}))
    decision = forms.CharField(label="Căn cứ (số, ký hiệu quyết định, nghị quyết)", max_length=300)
    new_name = forms.CharField(label="Đổi tên: tên mới", max_length=300, required=False)
    new_short_name = forms.CharField(label="Đổi tên: tên viết gọn (không bắt buộc)", max_length=200, required=False)
    new_abbreviation = forms.CharField(label="Đổi tên: chữ viết tắt trong ký hiệu (không bắt buộc)", max_length=30,
                                       required=False)
    parts = forms.CharField(
        label="Chia tách: đơn vị chuyển sang cơ quan khác", required=False, max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Mỗi dòng một cơ quan nhận: “mã định danh: mã đơn vị, mã đơn vị”. Phần còn lại và việc kế thừa "
                  "thuộc cơ quan kế thừa chính ở trên.")

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

    def clean_parts(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for line in str(self.cleaned_data.get("parts") or "").splitlines():
            if not line.strip():
                continue
            code, sep, units = line.partition(":")
            if not sep or not code.strip():
                raise forms.ValidationError(f"Dòng “{line.strip()}”: viết “mã định danh: mã đơn vị, mã đơn vị”.")
            out.setdefault(code.strip(), []).extend(u for u in re.split(r"[\s,;]+", units) if u)
        return out

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind = data.get("kind")
        single = (Reorganisation.Kind.RECODE, Reorganisation.Kind.SPLIT, Reorganisation.Kind.RENAME)
        if kind in single and len(data.get("predecessors") or []) > 1:
            self.add_error("predecessors", "Đổi mã, chia tách, đổi tên: chỉ một cơ quan.")
        if kind == Reorganisation.Kind.RENAME and not str(data.get("new_name") or "").strip():
            self.add_error("new_name", "Đổi tên: ghi tên mới.")
        if kind != Reorganisation.Kind.RENAME and not data.get("successor") and "successor" not in self.errors:
            self.add_error("successor", "Ghi mã định danh cơ quan kế thừa.")
        if kind == Reorganisation.Kind.SPLIT and not data.get("parts") and "parts" not in self.errors:
            self.add_error("parts", "Chia tách: ghi đơn vị nào chuyển sang cơ quan nào.")
        return data
