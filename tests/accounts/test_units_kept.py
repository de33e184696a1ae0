"""Issue 21: a units file refused by the import is kept, so once the cause is mended (here the
parent unit added by hand) the admin sends it again without choosing it (web.kept)."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tests.factories import make_user
from vanban.agencies import units
from vanban.agencies.models import Unit

pytestmark = pytest.mark.django_db
CHILD = "Mã đơn vị,Tên đơn vị,Loại,Thuộc đơn vị (mã),Thứ tự,Hoạt động từ,Hoạt động đến\nNV,Phòng Nghiệp vụ,,VP,1,,\n"


def test_a_refused_units_file_is_kept_until_it_goes_through(client: Client, office) -> None:
    client.force_login(make_user(office, "agency_admin"))
    page = client.post("/don-vi/nhap/", {"file": SimpleUploadedFile("don-vi.csv", CHILD.encode())},
                       follow=True).content.decode()
    assert "đơn vị cấp trên 'VP' không có" in page.replace("&#x27;", "'")
    form = page.split('data-testid="unit-import"')[1].split("</form>")[0]
    assert "Đã giữ tệp <strong>don-vi.csv</strong>" in form and "required" not in form
    [token] = re.findall(r'name="kept_file" value="([^"]+)"', form)
    assert not Unit.objects.filter(agency=office).exists()

    units.save_unit(actor="test", agency=office, data=units.UnitInput(code="VP", name="Văn phòng"))
    page = client.post("/don-vi/nhap/", {"kept_file": token}, follow=True).content.decode()
    assert "Đã nhập: 1 đơn vị mới, 0 đơn vị được cập nhật." in page
    assert Unit.objects.get(agency=office, code="NV").parent.code == "VP"
    assert 'name="kept_file"' not in page
