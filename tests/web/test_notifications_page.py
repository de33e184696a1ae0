"""Issue 21: notifications as a list one works through — reading the list marks nothing,
opening one marks it read and goes to its page (only a page of this site), the chosen ones or
all can be marked read, unread ones can be listed alone; the header's count follows."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.factories import make_agency, make_user
from vanban.workflow.models import Notification

pytestmark = pytest.mark.django_db


def test_read_unread_and_bulk(client: Client) -> None:
    agency = make_agency("000.00.02.H16", "Sở Nội vụ")
    me = make_user(agency, "specialist", username="chuyenvien.snv", full_name="Đặng Thị Thu")
    other = make_user(agency, "specialist", username="chuyenvien.khac")
    notes = [Notification.objects.create(user=me, text=f"Việc số {n}", url=f"/van-ban-den/{n}/", kind="assigned")
             for n in range(1, 5)]
    evil = Notification.objects.create(user=me, text="Lạ", url="//attacker.example/x", kind="assigned")
    theirs = Notification.objects.create(user=other, text="Của người khác", url="/", kind="assigned")
    client.force_login(me)

    html = client.get("/cong-viec/thong-bao/").content.decode()
    assert "Việc số 4" in html and "Của người khác" not in html
    assert Notification.objects.filter(user=me, read_at__isnull=True).count() == 5  # listing marks nothing
    answer = client.get(f"/cong-viec/thong-bao/{notes[0].pk}/")
    assert (answer.status_code, answer["Location"]) == (302, "/van-ban-den/1/")
    assert Notification.objects.get(pk=notes[0].pk).read_at is not None
    assert client.get(f"/cong-viec/thong-bao/{evil.pk}/")["Location"] == "/cong-viec/thong-bao/"  # not followed
    assert client.get(f"/cong-viec/thong-bao/{theirs.pk}/").status_code == 404
    assert Notification.objects.get(pk=theirs.pk).read_at is None

    client.post("/cong-viec/thong-bao/doc/", {"id": [notes[1].pk, theirs.pk]})
    assert Notification.objects.get(pk=notes[1].pk).read_at is not None
    assert Notification.objects.get(pk=theirs.pk).read_at is None  # not one's own: untouched
    unread = client.get("/cong-viec/thong-bao/", {"chua-doc": "1"}).content.decode()
    listed = unread.split('data-testid="notifications"')[1]
    assert "Việc số 3" in listed and "Việc số 4" in listed and "Việc số 2" not in listed
    client.post("/cong-viec/thong-bao/doc/", {"all": "1"})
    assert not Notification.objects.filter(user=me, read_at__isnull=True).exists()
    assert Notification.objects.get(pk=theirs.pk).read_at is None
