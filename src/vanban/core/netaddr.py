"""Which address a request really comes from, behind proxies we trust and no others.

X-Forwarded-For is written by every hop, and the client writes its left end itself, so it is
read from the right: the first hop that is not one of our proxies is the client. A request that
does not come from a trusted proxy keeps its socket address, whatever headers it carries.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from ipaddress import IPv4Network, IPv6Network, ip_address, ip_network

Network = IPv4Network | IPv6Network


def parse_networks(raw: Iterable[str]) -> tuple[Network, ...]:
    """`127.0.0.1`, `10.0.0.0/8`, `::1` → networks; raises ValueError on a bad entry."""
    return tuple(ip_network(item.strip(), strict=False) for item in raw if item.strip())


def _trusted(address: str, proxies: Sequence[Network]) -> bool:
    try:
        ip = ip_address(address)
    except ValueError:
        return False
    return any(ip in net for net in proxies)


def resolve_client_address(remote_addr: str, forwarded_for: str, proxies: Sequence[Network]) -> str:
    """The client's address: the socket peer, or the right-most untrusted X-Forwarded-For hop."""
    remote_addr = (remote_addr or "").strip()
    if not proxies or not _trusted(remote_addr, proxies):
        return remote_addr
    hops = [hop.strip() for hop in (forwarded_for or "").split(",") if hop.strip()]
    for hop in reversed(hops):
        if not _trusted(hop, proxies):
            try:
                return str(ip_address(hop))
            except ValueError:
                return remote_addr  # garbage in the header: fall back to the proxy itself
    return hops[0] if hops else remote_addr
