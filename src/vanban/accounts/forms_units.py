"""Forms of the units page (agency admin): a unit, a person placed in a unit, an import file."""

from __future__ import annotations

from typing import Any, cast

from django import forms

from vanban.accounts.fields import PersonChoiceField
from vanban.accounts.models import UnitMembership
from vanban.agencies.models import Unit


def _date_field(label: str) -> forms.DateField:
    """An optional date typed as the browser's date picker sends it, or as people write it."""
    return forms.DateField(label=label, required=False, widget=forms.DateInput(attrs={"type": "date"}),
                           input_formats=["%Y-%m-%d", "%d/%m/%Y"])


class UnitForm(forms.Form):
    code = forms.CharField(label="Mã đơn vị (dùng trong ký hiệu, ví dụ TCBM)", max_length=20)
    name = forms.CharField(label="Tên đơn vị", max_length=200)
    kind = forms.ChoiceField(label="Loại", choices=Unit.Kind.choices, initial=Unit.Kind.DEPARTMENT)
    parent = forms.ModelChoiceField(label="Thuộc đơn vị", queryset=Unit.objects.none(), required=False,
                                    empty_label="(trực thuộc lãnh đạo cơ quan)")
    order = forms.IntegerField(label="Thứ tự hiển thị", min_value=0, max_value=999, initial=0, required=False)
    active_from = _date_field("Hoạt động từ ngày")
    active_to = _date_field("Hoạt động đến ngày (đơn vị giải thể, sáp nhập)")

    def __init__(self, *args: Any, agency: Any = None, unit: Unit | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        parents = Unit.objects.filter(agency=agency)
        if unit is not None:
            parents = parents.exclude(pk=unit.pk)
        cast(forms.ModelChoiceField, self.fields["parent"]).queryset = parents


class PlaceForm(forms.Form):
    user = PersonChoiceField(label="Người", queryset=None, empty_label="(chọn người)")
    rank = forms.ChoiceField(label="Vị trí", choices=UnitMembership.Rank.choices,
                             initial=UnitMembership.Rank.MEMBER)
    position = forms.CharField(label="Chức vụ (ví dụ Trưởng phòng, Chuyên viên)", max_length=200, required=False)

    def __init__(self, *args: Any, users: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(PersonChoiceField, self.fields["user"]).queryset = users


class ImportForm(forms.Form):
    file = forms.FileField(label="Tệp Excel (.xlsx) hoặc CSV (UTF-8) các đơn vị",
                           widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}))
