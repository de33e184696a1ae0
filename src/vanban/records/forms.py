"""The one-entry catalog form: plain text fields only — the rules an entry must meet are the
import's (`importer.check_entry`), applied by `services.save_catalog_entry`."""

from __future__ import annotations

from django import forms


class CatalogEntryForm(forms.Form):
    heading = forms.CharField(label="Đề mục", required=False,
                              help_text="Ví dụ: I. TỔNG HỢP — chọn một đề mục đã có hoặc ghi đề mục mới.")
    subheading = forms.CharField(label="Đề mục nhỏ", required=False)
    notation = forms.CharField(label="Số và ký hiệu hồ sơ", required=False, help_text="Ví dụ: 01.TCCB")
    title = forms.CharField(label="Tiêu đề hồ sơ", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    retention = forms.CharField(label="Thời hạn bảo quản", required=False,
                                help_text="“Vĩnh viễn” hoặc số năm, ví dụ “10 năm”.")
    responsible = forms.CharField(label="Người lập hồ sơ", required=False)
    username = forms.CharField(label="Tên đăng nhập của người lập hồ sơ", required=False,
                               help_text="Không bắt buộc; người này phải thuộc cơ quan.")
