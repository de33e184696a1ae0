"""The hub delivers what is still addressed to an agency that ended in a merger to the
agency's successor, once, and says so in the trace (routing decisions only: the full
exchange is in test_merge.py)."""

from __future__ import annotations

from datetime import date

import pytest

from tests.factories import make_agency
from vanban.agencies.models import Agency
from vanban.hub import routing
from vanban.hub import services as hub

pytestmark = pytest.mark.django_db


@pytest.fixture
def ended() -> tuple[Agency, Agency, Agency]:
    old = make_agency("000.00.11.H16", "Sở Thông tin và Truyền thông", abbreviation="STTTT")
    new = make_agency("000.00.14.H16", "Sở Khoa học và Công nghệ", abbreviation="SKHCN")
    other = make_agency("000.00.02.H16", "Sở Nội vụ", abbreviation="SNV")
    Agency.objects.filter(pk=old.pk).update(active_to=date(2025, 2, 28), successor=new)
    hub.create_endpoint(name="qlvb-skhcn", codes=[new.code, other.code], actor="test")
    return old, new, other


def test_ended_agency_goes_to_its_successor(ended: tuple[Agency, Agency, Agency]) -> None:
    old, new, _ = ended
    route = routing.plan([old.code], caller=None, from_parent=False)
    assert list(route.local) == [new.code]
    assert route.local[new.code].name == "qlvb-skhcn"
    assert route.redirected == {old.code: new.code}
    assert route.unroutable == []


def test_named_with_its_successor_is_delivered_once(ended: tuple[Agency, Agency, Agency]) -> None:
    old, new, other = ended
    route = routing.plan([old.code, new.code, other.code], caller=None, from_parent=False)
    assert sorted(route.local) == sorted([new.code, other.code])
    route = routing.plan([new.code, old.code], caller=None, from_parent=False)
    assert list(route.local) == [new.code]


def test_a_chain_of_successors_is_followed(ended: tuple[Agency, Agency, Agency]) -> None:
    old, new, _ = ended
    older = make_agency("000.00.44.H16", "Sở Bưu chính, Viễn thông")
    Agency.objects.filter(pk=older.pk).update(active_to=date(2008, 3, 31), successor=old)
    route = routing.plan([older.code], caller=None, from_parent=False)
    assert list(route.local) == [new.code] and route.redirected == {older.code: new.code}


def test_an_ended_agency_still_served_keeps_its_own_endpoint(ended: tuple[Agency, Agency, Agency]) -> None:
    """Its own office still serves it (and redirects there, with its own directory)."""
    old, _, _ = ended
    hub.create_endpoint(name="qlvb-stttt", codes=[old.code], actor="test")
    route = routing.plan([old.code], caller=None, from_parent=False)
    assert route.local[old.code].name == "qlvb-stttt" and route.redirected == {}


def test_no_successor_served_is_unroutable(ended: tuple[Agency, Agency, Agency]) -> None:
    lone = make_agency("000.00.45.H16", "Ban Dân tộc")
    Agency.objects.filter(pk=lone.pk).update(active_to=date(2025, 2, 28),
                                             successor=make_agency("000.00.22.H16", "Sở Dân tộc và Tôn giáo"))
    route = routing.plan([lone.code], caller=None, from_parent=False)
    assert route.local == {} and route.unroutable == [lone.code]


def test_the_office_takes_what_the_hub_redirected_only_for_ended_agencies(
        ended: tuple[Agency, Agency, Agency]) -> None:
    """The office's directory knows the old agency ended but not (yet) who took over; the hub,
    which does, delivered the package for the successor."""
    from types import SimpleNamespace

    from tests.factories import make_user
    from vanban.exchange.inbound import _redirected_by_hub

    old, new, other = ended
    Agency.objects.filter(pk=old.pk).update(successor=None)
    make_user(new, "clerk")
    entry = SimpleNamespace(addressee_code=new.code)

    def package(*codes: str) -> SimpleNamespace:
        return SimpleNamespace(to=[SimpleNamespace(organ_id=c, organ_name="") for c in codes])

    assert _redirected_by_hub(package(old.code), entry) == [(new, old)]
    assert _redirected_by_hub(package("000.00.00.G22"), entry) == []  # unknown here: not re-addressed
    assert _redirected_by_hub(package(other.code), entry) == []  # in operation: not re-addressed
    assert _redirected_by_hub(package(old.code, other.code), entry) == []
    assert _redirected_by_hub(package(old.code), SimpleNamespace(addressee_code=other.code)) == []  # nobody there


def test_an_ended_agency_whose_people_still_work_here_keeps_its_own(ended: tuple[Agency, Agency, Agency]) -> None:
    """Its directory says it ended, but nobody reorganised it on this system yet: its own people
    still receive; an ended agency with nobody here goes to its successor."""
    from types import SimpleNamespace

    from tests.factories import make_user
    from vanban.exchange.inbound import _local_recipients

    old, new, _ = ended
    make_user(new, "clerk")
    package = SimpleNamespace(to=[SimpleNamespace(organ_id=old.code, organ_name="")])
    assert _local_recipients(package) == [(new, old)]
    make_user(old, "clerk")
    assert _local_recipients(package) == [(old, None)]
