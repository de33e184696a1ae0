"""Where each recipient of a package goes: an inbox here, the parent hub, or nowhere.

Split horizon keeps packages from looping between hubs:
- codes served by the lower hub that submitted the package are its own business (it already
  delivered them locally), so they are skipped here;
- a package taken from the parent never goes back up: a code not served here is unroutable.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from vanban.hub import conf
from vanban.hub.models import Endpoint, EndpointAgency, EndpointKind


@dataclass
class Route:
    local: dict[str, Endpoint] = field(default_factory=dict)  # recipient code -> endpoint here
    upward: list[str] = field(default_factory=list)  # to the parent hub
    skipped: list[str] = field(default_factory=list)  # the calling lower hub serves them
    unroutable: list[str] = field(default_factory=list)


def served_by(codes: Iterable[str]) -> dict[str, Endpoint]:
    """Active endpoints serving these codes (one each: services refuse a second)."""
    rows = (EndpointAgency.objects.filter(agency__code__in=list(codes), endpoint__revoked_at__isnull=True)
            .select_related("endpoint", "agency"))
    return {row.agency.code: row.endpoint for row in rows}


def plan(recipients: Iterable[str], *, caller: Endpoint | None, from_parent: bool) -> Route:
    codes = list(dict.fromkeys(recipients))
    served = served_by(codes)
    caller_codes: set[str] = set()
    if caller is not None and caller.kind == EndpointKind.HUB:
        caller_codes = set(EndpointAgency.objects.filter(endpoint=caller, agency__code__in=codes)
                           .values_list("agency__code", flat=True))
    has_parent = bool(conf.parent_url())
    route = Route()
    for code in codes:
        if code in caller_codes:
            route.skipped.append(code)
        elif code in served:
            route.local[code] = served[code]
        elif has_parent and not from_parent:
            route.upward.append(code)
        else:
            route.unroutable.append(code)
    return route
