"""Talking to the parent hub: push forwards up, pull what the parent holds for us.

Design: a lower hub is an endpoint (kind "hub") of its parent. Upward, it POSTs the
original bytes to the parent's /packages. Downward, it pulls its inbox at the parent,
takes each package in locally (checked and stored like any submit), and acks at the
parent only after that commit — so nothing is lost and a repeat is a duplicate.
The parent never needs to reach the lower hub (provincial hubs may sit behind NAT).

The parent speaks either our API (`VANBAN_HUB_PARENT_PROTOCOL=vanban`, bearer token) or the
national hub's SDK protocol (`vxp`: `VANBAN_HUB_PARENT_URL` is its endpoint, our systemId in
`VANBAN_HUB_PARENT_SYSTEM_ID`, the secret in `VANBAN_HUB_PARENT_TOKEN`). `VxpClient` offers
the same submit / inbox / fetch / ack, so the outbox (`Forward`), retry and idempotency are
the same code: forward = sendEdoc, pull = getReceivedEdocList + getEdoc, ack = updateStatus
done. Statuses travel as status packages both ways.

A package the parent holds that we refuse for good (our intake's 4xx: bad format, bad
signature, too large …) is set aside, not retried forever in front of the rest: recorded as a
pull problem with its error, audited, skipped by later pulls (the operator retries by clearing
it), and reported to a VXP parent with updateStatus `fail`, which takes it off our list there.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from vanban.audit.services import record_event
from vanban.hub import blobs, conf, queries, services, vxp_conf
from vanban.hub.errors import HubError
from vanban.hub.models import PullProblem
from vanban.hubclient import HubClient, HubHttpError, HubUnreachableError
from vanban.vxp.client import VxpClient

log = logging.getLogger(__name__)
TRACE_HEADER = "X-Vanban-Trace"
PULL_SET_ASIDE = "hub.pull_set_aside"
SET_ASIDE_PREFIX = "[gác lại] "


def parent_client() -> HubClient | VxpClient | None:
    url = conf.parent_url()
    if not url:
        return None
    if vxp_conf.parent_protocol() == "vxp":
        return VxpClient(url, vxp_conf.parent_system_id(), conf.parent_token(), timeout=conf.http_timeout_seconds())
    return HubClient(url, conf.parent_token(), timeout=conf.http_timeout_seconds())


def set_aside_ids() -> set[str]:
    return set(PullProblem.objects.filter(last_error__startswith=SET_ASIDE_PREFIX)
               .values_list("parent_package_id", flat=True))


def forward_one(forward_id: int) -> str:
    """One attempt to hand a package to the parent: "forwarded", "failed" or "skipped"."""
    forward = services.claim_forward(forward_id, lease=timedelta(seconds=conf.http_timeout_seconds() * 2 + 30))
    if forward is None:
        return "skipped"
    client = parent_client()
    if client is None:
        services.forward_failed(forward, "Chưa cấu hình trục cấp trên (VANBAN_HUB_PARENT_URL)")
        return "failed"
    try:
        data = services.package_bytes(forward.package)
        result = client.submit(data, headers={TRACE_HEADER: queries.encode_trace_header(forward.package)})
    except HubHttpError as exc:
        services.forward_failed(forward, f"Trục cấp trên từ chối: HTTP {exc.status} {exc.code}: {exc.message}")
        return "failed"
    except HubUnreachableError as exc:
        services.forward_failed(forward, f"Không kết nối được trục cấp trên: {exc}")
        return "failed"
    except (OSError, blobs.BlobCorruptError) as exc:
        services.forward_failed(forward, f"Không đọc được bản gốc của gói tin: {exc!r}")
        return "failed"
    services.forward_succeeded(forward, result.id, result.duplicate)
    return "forwarded"


def forward_due() -> dict[str, int]:
    """Attempt every overdue forward now (the sync command; the worker enqueues instead)."""
    counts: dict[str, int] = {}
    for forward_id in services.due_forwards():
        outcome = forward_one(forward_id)
        counts[outcome] = counts.get(outcome, 0) + 1
    return counts


@dataclass
class PullResult:
    taken: int = 0
    duplicates: int = 0
    problems: int = 0
    unreachable: bool = False


def pull_from_parent() -> PullResult:
    """Take in everything waiting for us at the parent, one batch."""
    result = PullResult()
    client = parent_client()
    if client is None:
        return result
    skipped = set_aside_ids()
    try:  # ask for enough that set-aside entries still waiting at the parent never fill the batch
        entries = client.inbox(limit=min(conf.pull_batch() + len(skipped), 1000))
    except (HubHttpError, HubUnreachableError) as exc:
        log.warning("hub pull: inbox at parent failed: %s", exc)
        result.unreachable = True
        return result
    for package_id in [i for i in dict.fromkeys(str(e["id"]) for e in entries) if i not in skipped]:
        try:
            data = client.fetch(package_id)
            upstream = []
            trace = getattr(client, "trace", None)  # our API has it; the national hub's SDK has not
            if trace is not None:
                try:
                    upstream = trace(package_id).get("hops", [])
                except HubHttpError:
                    upstream = []
            submitted = services.accept_package(blobs.receive_bytes(data), caller=None, from_parent=True,
                                                parent_package_id=package_id, upstream=upstream)
            client.ack(package_id)
        except HubError as exc:
            if exc.status >= 500:  # ours, maybe passing (disk, blob): try again next time
                services.record_pull_problem(package_id, f"{exc.code}: {exc.message}")
            else:
                _set_aside(client, package_id, exc)
                services.hold_pulled(data, package_id, exc)
            result.problems += 1
            continue
        except HubHttpError as exc:
            services.record_pull_problem(package_id, f"HTTP {exc.status} {exc.code}: {exc.message}")
            result.problems += 1
            continue
        except HubUnreachableError:
            result.unreachable = True
            break
        services.clear_pull_problem(package_id)
        result.taken += 1
        result.duplicates += int(submitted.duplicate)
    return result


def _set_aside(client: HubClient | VxpClient, package_id: str, exc: HubError) -> None:
    """A package we refuse for good: recorded, audited, skipped from now on, and told to a VXP
    parent (updateStatus fail), so the packages behind it flow on."""
    error = f"{exc.code}: {exc.message}"
    services.record_pull_problem(package_id, SET_ASIDE_PREFIX + error)
    record_event(PULL_SET_ASIDE, actor="hub", obj=PullProblem.objects.get(parent_package_id=package_id),
                 details={"parent_package_id": package_id, "code": exc.code, "error": exc.message[:500]})
    log.warning("hub pull: package %s from the parent set aside: %s", package_id, error)
    if isinstance(client, VxpClient):
        try:
            client.update_status(package_id, "fail", f"Trục cấp dưới từ chối: {error}"[:900])
        except (HubHttpError, HubUnreachableError) as report:
            log.warning("hub pull: could not report %s as failed to the parent: %s", package_id, report)
