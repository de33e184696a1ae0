"""Exchange jobs: send the outbox and pull the inbox, on a schedule and when woken.

The outbox rows are the durable state; these tasks only do the work. A lost wake-up
delays a delivery until the next sweep (every minute), never loses it.
"""

from __future__ import annotations

from vanban.jobs import every_minutes, periodic_task, task


@task()
def send_outbox_now() -> int:
    from vanban.exchange.services import send_pending

    sent = send_pending()
    if sent:
        poll_inbox_now()  # on a shared hub the answer may already be waiting
    return sent


@task()
def poll_inbox_now() -> int:
    from vanban.exchange.inbound import poll

    return poll()


@periodic_task(every_minutes(1))
def sweep_outbox() -> int:
    from vanban.exchange.services import send_pending

    return send_pending()


@periodic_task(every_minutes(1))
def poll_inbox() -> int:
    from vanban.core.clock import now_vn
    from vanban.exchange.inbound import poll
    from vanban.exchange.services import active_connection
    from vanban.vxp import conf as vxp_conf

    connection = active_connection()
    if connection is not None and connection.kind == "vxp" and not vxp_conf.poll_due(now_vn()):
        return 0  # the national hub is polled every VANBAN_VXP_POLL_MINUTES (default 5)
    return poll()
