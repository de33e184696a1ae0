"""The draft form of an outgoing document."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils import timezone

from vanban.agencies.units import units_in_operation
from vanban.documents.forms import CONFIDENTIALITY, MultipleFileField
from vanban.documents.models import Document, DocumentType
from vanban.outgoing.services import DraftFields


class DraftForm(forms.Form):
    document_type = forms.ModelChoiceField(DocumentType.objects.all(), label="Loại văn bản",
                                           to_field_name="code", empty_label=None)
    subject = forms.CharField(label="Trích yếu", max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))
    content = forms.CharField(label="Nội dung tóm tắt", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    place = forms.CharField(label="Địa danh", max_length=100, required=False, initial="Đắk Lắk")
    urgency = forms.ChoiceField(label="Độ khẩn", choices=Document.Urgency.choices)
    confidentiality = forms.ChoiceField(label="Độ mật", choices=CONFIDENTIALITY, required=False)
    due_on = forms.DateField(label="Hạn xử lý", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    drafting_unit = forms.CharField(label="Đơn vị soạn thảo (viết tắt, dùng trong ký hiệu)", max_length=20,
                                    required=False)

    def __init__(self, *args: Any, agency: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if agency is None:
            return

        codes = [(u.code, f"{u.code} — {u.name}") for u in units_in_operation(agency).order_by("order", "name")]
        cast(forms.ChoiceField, self.fields["recipient_units"]).choices = list(codes)
        if codes:  # the agency declared its units: choose one (the draft's old code stays choosable)
            current = str(self.initial.get("drafting_unit") or "")
            if current and current not in {c for c, _ in codes}:
                codes.append((current, f"{current} (đơn vị cũ)"))
            self.fields["drafting_unit"] = forms.ChoiceField(
                label="Đơn vị soạn thảo (mã dùng trong ký hiệu)", required=False,
                choices=[("", "(không ghi đơn vị)"), *codes])
    signer_competence = forms.ChoiceField(label="Thẩm quyền ký", required=False, choices=[
        ("", "(ký trực tiếp)"), ("TM.", "TM."), ("KT.", "KT."), ("TL.", "TL."), ("TUQ.", "TUQ."), ("Q.", "Q.")])
    paper_copy = forms.BooleanField(label="Gửi kèm bản giấy", required=False)
    internal = forms.BooleanField(label="Văn bản nội bộ (gửi các đơn vị trong cơ quan, vào sổ văn bản nội bộ, "
                                        "không gửi qua trục liên thông)", required=False)
    recipient_units = forms.MultipleChoiceField(label="Đơn vị nhận trong cơ quan", required=False, choices=[],
                                                widget=forms.CheckboxSelectMultiple)
    main_file = forms.FileField(label="Văn bản chính (PDF)", required=False)
    appendix_files = MultipleFileField(label="Phụ lục, tài liệu kèm theo", required=False)
    internal_recipients = forms.CharField(label="Nơi nhận nội bộ (mỗi dòng một đơn vị)", required=False,
                                          widget=forms.Textarea(attrs={"rows": 2}))
    paper_recipients = forms.CharField(label="Nơi nhận chỉ gửi bản giấy (mỗi dòng một nơi)", required=False,
                                       widget=forms.Textarea(attrs={"rows": 2}))
    confirm_dates = forms.BooleanField(label="Tôi xác nhận hạn xử lý này là đúng", required=False)

    def clean_due_on(self) -> Any:
        due = self.cleaned_data.get("due_on")
        if due and due < timezone.localdate() and not self.data.get("confirm_dates"):
            raise forms.ValidationError(
                f"Hạn xử lý {due:%d/%m/%Y} đã qua. Sửa lại, hoặc đánh dấu ô xác nhận bên dưới nếu đúng là vậy.",
                code="past_due")
        return due

    def draft_fields(self) -> DraftFields:
        d = self.cleaned_data
        return DraftFields(document_type=d["document_type"].code, subject=d["subject"], content=d["content"],
                           place=d["place"], urgency=d["urgency"], confidentiality=d["confidentiality"],
                           due_on=d["due_on"], drafting_unit=d["drafting_unit"],
                           signer_competence=d["signer_competence"], paper_copy=d["paper_copy"],
                           internal=d["internal"])
