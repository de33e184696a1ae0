from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.password_validation import validate_password

from vanban.accounts.models import User
from vanban.accounts.roles import Role
from vanban.agencies.models import Unit
from vanban.agencies.units import units_in_operation


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": "Tên đăng nhập hoặc mật khẩu không đúng.",
        "inactive": "Tài khoản này đã bị khóa.",
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].label = "Tên đăng nhập"
        self.fields["password"].label = "Mật khẩu"


ASSIGNABLE_ROLES = [(r.value, r.label) for r in Role if r != Role.HUB_OPERATOR]


class UnitField(forms.ModelChoiceField):
    """The agency's units in operation (set by `limit_units`); empty means none."""

    def __init__(self) -> None:
        super().__init__(queryset=Unit.objects.none(), required=False, label="Phòng, đơn vị",
                         empty_label="(chưa thuộc đơn vị nào)")


def limit_units(form: forms.Form, agency: Any) -> None:
    unit = cast(UnitField, form.fields["unit"])  # the forms passed here declare unit = UnitField()
    unit.queryset = units_in_operation(agency)


class UserCreateForm(forms.Form):
    username = forms.RegexField(label="Tên đăng nhập", max_length=150, regex=r"^[\w.@+-]+$",
                                error_messages={"invalid": "Chỉ dùng chữ, số và . @ + - _"})
    full_name = forms.CharField(label="Họ và tên", max_length=200)
    position = forms.CharField(label="Chức vụ", max_length=200, required=False)
    email = forms.EmailField(label="Thư điện tử", required=False)
    unit = UnitField()
    roles = forms.MultipleChoiceField(label="Vai trò", choices=ASSIGNABLE_ROLES,
                                      widget=forms.CheckboxSelectMultiple)
    password = forms.CharField(label="Mật khẩu ban đầu", widget=forms.PasswordInput)

    def __init__(self, *args: Any, agency: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limit_units(self, agency)

    def clean_username(self) -> str:
        name: str = self.cleaned_data["username"]
        if User.objects.filter(username__iexact=name).exists():
            raise forms.ValidationError("Tên đăng nhập đã có người dùng.")
        return name

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("password"):
            try:
                validate_password(data["password"], User(username=data.get("username", "")))
            except forms.ValidationError as exc:
                self.add_error("password", exc)
        return data


class UserEditForm(forms.Form):
    full_name = forms.CharField(label="Họ và tên", max_length=200)
    position = forms.CharField(label="Chức vụ", max_length=200, required=False)
    email = forms.EmailField(label="Thư điện tử", required=False)
    unit = UnitField()
    roles = forms.MultipleChoiceField(label="Vai trò", choices=ASSIGNABLE_ROLES,
                                      widget=forms.CheckboxSelectMultiple, required=False)
    is_active = forms.BooleanField(label="Đang hoạt động", required=False)

    GLOBAL_FIELDS = ("full_name", "position", "email", "is_active")

    def __init__(self, *args: Any, shared: bool = False, agency: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limit_units(self, agency)
        if shared:  # a member of another agency too: only a superuser edits what all agencies see
            for name in self.GLOBAL_FIELDS:
                self.fields[name].disabled = True
                self.fields[name].help_text = "Người dùng thuộc cả cơ quan khác: chỉ quản trị hệ thống sửa được."
