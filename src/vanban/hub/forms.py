"""Operator forms: a new endpoint, an agency certificate upload."""

from __future__ import annotations

import re

from django import forms
from django.core.files.uploadedfile import UploadedFile

from vanban.hub.models import EndpointKind

MAX_PEM_BYTES = 256 * 1024


class EndpointForm(forms.Form):
    name = forms.CharField(label="Tên điểm kết nối", max_length=100)
    kind = forms.ChoiceField(label="Loại", choices=EndpointKind.choices, initial=EndpointKind.AGENCY)
    agencies = forms.CharField(label="Mã cơ quan được phục vụ", widget=forms.Textarea(attrs={"rows": 3}),
                               help_text="Mỗi mã một dòng hoặc cách nhau bởi dấu phẩy, ví dụ 000.00.01.H16")
    cert = forms.FileField(label="Chứng thư số PEM của cơ quan (không bắt buộc)", required=False)

    def clean_agencies(self) -> list[str]:
        codes = [c for c in re.split(r"[\s,;]+", self.cleaned_data["agencies"]) if c]
        if not codes:
            raise forms.ValidationError("Cần ít nhất một mã cơ quan.")
        return codes

    def clean_cert(self) -> bytes | None:
        return _pem(self.cleaned_data.get("cert"))


class CertificateForm(forms.Form):
    code = forms.CharField(label="Mã cơ quan", max_length=13)
    cert = forms.FileField(label="Tệp chứng thư số PEM")

    def clean_cert(self) -> bytes | None:
        return _pem(self.cleaned_data.get("cert"))


def _pem(upload: UploadedFile | None) -> bytes | None:
    if upload is None:
        return None
    if getattr(upload, "size", 0) > MAX_PEM_BYTES:
        raise forms.ValidationError("Tệp chứng thư số quá lớn (tối đa 256 KB).")
    data = upload.read()
    if b"-----BEGIN CERTIFICATE-----" not in data:
        raise forms.ValidationError("Tệp không phải chứng thư số dạng PEM (-----BEGIN CERTIFICATE-----).")
    return bytes(data)
