"""The few-seconds cache of who an endpoint serves and which certificates an agency signs with:
a hit costs no query, anything added counts at once, anything removed counts at once in this
process (issue 23: fewer statements per submission, never a stale permission here)."""

from __future__ import annotations

import pytest

from tests.factories import make_agency
from tests.hub.packages import make_identity
from vanban.hub import registry_cache, services
from vanban.hub.models import AgencyCertificate, EndpointAgency

pytestmark = pytest.mark.django_db

A, B = "000.00.01.H16", "000.00.02.H16"


def test_served_agency_cached_added_at_once_removed_at_once(django_assert_num_queries) -> None:
    make_agency(A, "Văn phòng UBND tỉnh")
    b = make_agency(B, "Sở Nội vụ")
    endpoint, _ = services.create_endpoint(name="qlvb", codes=[A], actor="test")
    assert registry_cache.serves(endpoint, A)
    with django_assert_num_queries(0):
        assert registry_cache.serves(endpoint, A)
    assert not registry_cache.serves(endpoint, B)  # a refusal is never kept…
    EndpointAgency.objects.create(endpoint=endpoint, agency=b)
    assert registry_cache.serves(endpoint, B)  # …so an agency just added counts at once
    EndpointAgency.objects.get(endpoint=endpoint, agency__code=A).delete()
    assert not registry_cache.serves(endpoint, A)  # removed: this process asks again at once


def test_certificates_cached_added_at_once_removed_at_once(django_assert_num_queries) -> None:
    make_agency(A, "Văn phòng UBND tỉnh")
    assert registry_cache.certificate_pems(A) == ()
    identity = make_identity(A)
    services.add_certificates(code=A, pem=identity.cert_pem(), actor="test")
    pems = registry_cache.certificate_pems(A)
    assert len(pems) == 1 and "BEGIN CERTIFICATE" in pems[0]
    with django_assert_num_queries(0):
        assert registry_cache.certificate_pems(A) == pems
    AgencyCertificate.objects.filter(agency__code=A).first().delete()
    assert registry_cache.certificate_pems(A) == ()
