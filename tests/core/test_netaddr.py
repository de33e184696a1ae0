from __future__ import annotations

import pytest

from vanban.core.netaddr import parse_networks, resolve_client_address

pytestmark = pytest.mark.unit
PROXIES = parse_networks(["127.0.0.1", "10.0.0.0/8", "::1"])


@pytest.mark.parametrize(("remote", "xff", "expected"), [
    ("203.0.113.5", "1.2.3.4", "203.0.113.5"),           # not from a proxy: the header is the client's own words
    ("127.0.0.1", "203.0.113.5", "203.0.113.5"),
    ("127.0.0.1", "6.6.6.6, 203.0.113.5", "203.0.113.5"),  # the client wrote 6.6.6.6 itself
    ("127.0.0.1", "203.0.113.5, 10.1.2.3", "203.0.113.5"),  # two proxies of ours
    ("127.0.0.1", "", "127.0.0.1"),
    ("127.0.0.1", "10.0.0.1, 10.0.0.2", "10.0.0.1"),       # only our own hops: the left-most
    ("127.0.0.1", "not-an-address", "127.0.0.1"),
    ("::1", "2001:db8::7", "2001:db8::7"),
])
def test_resolve_client_address(remote: str, xff: str, expected: str) -> None:
    assert resolve_client_address(remote, xff, PROXIES) == expected


def test_no_trusted_proxies_means_the_socket_address() -> None:
    assert resolve_client_address("127.0.0.1", "203.0.113.5", ()) == "127.0.0.1"


def test_bad_network_is_refused() -> None:
    with pytest.raises(ValueError):
        parse_networks(["300.1.1.1"])
