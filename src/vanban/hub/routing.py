"""Where each recipient of a package goes: an inbox here, the parent hub, or nowhere.

Split horizon keeps packages from looping between hubs:
- codes served by the lower hub that submitted the package are its own business (it already
  delivered them locally), so they are skipped here;
- a package taken from the parent never goes back up: a code not served here is unroutable.

An agency that ended in a merger (`Agency.successor` in the directory) and is no longer served
here has its packages delivered to the successor's endpoint, for the successor; when the
package already names the successor, it is delivered once.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from vanban.agencies.models import Agency
from vanban.hub import conf, registry_cache
from vanban.hub.models import Endpoint, EndpointAgency, EndpointKind


@dataclass
class Route:
    local: dict[str, Endpoint] = field(default_factory=dict)  # recipient code -> endpoint here
    upward: list[str] = field(default_factory=list)  # to the parent hub
    skipped: list[str] = field(default_factory=list)  # the calling lower hub serves them
    unroutable: list[str] = field(default_factory=list)
    redirected: dict[str, str] = field(default_factory=dict)  # ended agency -> successor delivered for


def served_by(codes: Iterable[str]) -> dict[str, Endpoint]:
    """Active endpoints serving these codes (one each: services refuse a second). Kept a few
    seconds per process (`registry_cache`); a code not served is asked of the database again."""
    return registry_cache.serving(codes)


def plan(recipients: Iterable[str], *, caller: Endpoint | None, from_parent: bool) -> Route:
    codes = list(dict.fromkeys(recipients))
    served = served_by(codes)
    caller_codes: set[str] = set()
    if caller is not None and caller.kind == EndpointKind.HUB:
        caller_codes = set(EndpointAgency.objects.filter(endpoint=caller, agency__code__in=codes)
                           .values_list("agency__code", flat=True))
    has_parent = bool(conf.parent_url())
    route = Route()
    successors = _successors([c for c in codes if c not in served and c not in caller_codes])
    served.update(served_by(set(successors.values()) - set(served)))
    for code in codes:
        if code in caller_codes:
            route.skipped.append(code)
        elif code in served and code not in successors:
            route.local[code] = served[code]
        elif code in successors and successors[code] in served:
            successor = successors[code]
            route.redirected[code] = successor
            if successor in caller_codes:
                route.skipped.append(code)
            else:  # once, even when the package names the successor too
                route.local.setdefault(successor, served[successor])
        elif has_parent and not from_parent:
            route.upward.append(code)
        else:
            route.unroutable.append(code)
    return route


def _successors(codes: list[str]) -> dict[str, str]:
    """Ended agencies among these codes -> the agency that holds their duties today."""
    out: dict[str, str] = {}
    if not codes:  # every recipient served: no query
        return out
    for agency in Agency.objects.filter(code__in=codes, successor__isnull=False).select_related("successor"):
        current = agency.current()
        if current.pk != agency.pk:
            out[agency.code] = current.code
    return out
