"""Talking to the parent hub: push forwards up, pull what the parent holds for us.

Design: a lower hub is an endpoint (kind "hub") of its parent. Upward, it POSTs the
original bytes to the parent's /packages. Downward, it pulls its inbox at the parent,
takes each package in locally (checked and stored like any submit), and acks at the
parent only after that commit — so nothing is lost and a repeat is a duplicate.
The parent never needs to reach the lower hub (provincial hubs may sit behind NAT).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from vanban.hub import blobs, conf, queries, services
from vanban.hub.errors import HubError
from vanban.hubclient import HubClient, HubHttpError, HubUnreachableError

log = logging.getLogger(__name__)
TRACE_HEADER = "X-Vanban-Trace"


def parent_client() -> HubClient | None:
    url = conf.parent_url()
    return HubClient(url, conf.parent_token(), timeout=conf.http_timeout_seconds()) if url else None


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
        data = blobs.read(forward.package.sha256)
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
    try:
        entries = client.inbox(limit=conf.pull_batch())
    except (HubHttpError, HubUnreachableError) as exc:
        log.warning("hub pull: inbox at parent failed: %s", exc)
        result.unreachable = True
        return result
    for package_id in dict.fromkeys(str(e["id"]) for e in entries):
        try:
            data = client.fetch(package_id)
            try:
                upstream = client.trace(package_id).get("hops", [])
            except HubHttpError:
                upstream = []
            submitted = services.accept_package(blobs.receive_bytes(data), caller=None, from_parent=True,
                                                parent_package_id=package_id, upstream=upstream)
            client.ack(package_id)
        except HubError as exc:
            services.record_pull_problem(package_id, f"{exc.code}: {exc.message}")
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
