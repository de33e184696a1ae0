from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import make_user
from vanban.jobs.services import record_heartbeat

pytestmark = pytest.mark.django_db


def test_home_shows_agency_roles_and_real_counts(client: Client, office, other_office) -> None:
    make_user(office, "specialist")
    client.force_login(make_user(office, "clerk", full_name="Nguyễn Thị Hoa"))
    html = client.get("/").content.decode()
    assert "Văn phòng Ủy ban nhân dân tỉnh" in html
    assert "Nguyễn Thị Hoa · Văn thư" in html
    assert 'data-testid="count-agencies">2<' in html
    assert 'data-testid="count-users">2<' in html


def test_navigation_follows_role(client: Client, office) -> None:
    client.force_login(make_user(office, "clerk"))
    html = client.get("/").content.decode()
    assert reverse("agency_directory") in html
    assert reverse("user_list") not in html
    assert reverse("operations") not in html
    client.force_login(make_user(office, "agency_admin"))
    assert reverse("user_list") in client.get("/").content.decode()


def test_switch_agency_only_to_own(client: Client, office, other_office) -> None:
    user = make_user(office, "clerk")
    client.force_login(user)
    assert client.post(reverse("switch_agency"), {"agency_id": other_office.pk}).status_code == 403
    from vanban.accounts.models import Membership
    Membership.objects.create(user=user, agency=other_office, role="leader")
    assert client.post(reverse("switch_agency"), {"agency_id": other_office.pk}).status_code == 302
    assert "Sở Nội vụ" in client.get("/").content.decode().split("current-agency")[1][:80]


def test_operations_page_for_hub_operator_only(client: Client, office) -> None:
    client.force_login(make_user(office, "clerk"))
    assert client.get(reverse("operations")).status_code == 403
    client.force_login(make_user(office, "hub_operator"))
    html = client.get(reverse("operations")).content.decode()
    assert "Không thấy nhịp tim" in html
    record_heartbeat()
    html = client.get(reverse("operations")).content.decode()
    assert "Đang chạy" in html


def test_error_pages_are_vietnamese(client: Client, office, settings) -> None:
    settings.DEBUG = False
    client.force_login(make_user(office, "clerk"))
    response = client.get("/khong-co-trang-nay/")
    assert response.status_code == 404
    assert "Không tìm thấy trang" in response.content.decode()
    response = client.get(reverse("audit_log"))
    assert response.status_code == 403
    assert "Không có quyền truy cập" in response.content.decode()


def test_static_assets_are_vendored(client: Client) -> None:
    from django.contrib.staticfiles import finders
    assert finders.find("vanban/htmx-2.0.4.min.js")
    assert finders.find("vanban/app.css")
    html = client.get(reverse("login")).content.decode()
    assert "http://" not in html.replace("http://www.w3.org", "")
    assert "https://" not in html


def test_directory_page_search(client: Client, office, other_office) -> None:
    client.force_login(make_user(office, "clerk"))
    html = client.get(reverse("agency_directory"), {"q": "noi vu"}).content.decode()
    results = html.split('data-testid="agency-results"')[1]
    assert "Sở Nội vụ" in results
    assert "Văn phòng Ủy ban" not in results
    partial = client.get(reverse("agency_directory"), {"q": "noi vu"}, HTTP_HX_REQUEST="true")
    assert "<html" not in partial.content.decode()
    detail = client.get(reverse("agency_detail", args=["000.00.02.H16"])).content.decode()
    assert "Cấp 2: 02" in detail
    assert client.get(reverse("agency_detail", args=["000.00.99.H16"])).status_code == 404


def test_audit_log_page_shows_own_agency_only(client: Client, office, other_office) -> None:
    from vanban.audit.services import record_event
    record_event("test.mine", agency_code=office.code)
    record_event("test.theirs", agency_code=other_office.code)
    client.force_login(make_user(office, "leader"))
    html = client.get(reverse("audit_log")).content.decode()
    assert "Tổng số: 1" in html and "thao tác khác của hệ thống" in html  # one event, never its raw code
    assert "test.mine" not in html and "test.theirs" not in html
