"""Scheduled directory sync from the configured VXP hub (VANBAN_VXP_URL …), once a day.

Registered with the queue when `vanban.hub.tasks` imports this module (one line the lead
adds); stateless: it runs in the hour VANBAN_VXP_SYNC_HOUR (Vietnam time), -1 disables it.
"""

from __future__ import annotations

import logging

from vanban.core.clock import now_vn
from vanban.hub import vxp_directory
from vanban.hubclient import HubUnreachableError
from vanban.jobs import every_minutes, periodic_task
from vanban.vxp import conf
from vanban.vxp.client import VxpClient
from vanban.vxp.envelope import VxpError

log = logging.getLogger(__name__)


@periodic_task(every_minutes(60))
def vxp_directory_sync() -> int:
    url, system_id, secret = conf.directory_url(), conf.directory_system_id(), conf.directory_secret()
    if not (url and system_id and secret) or now_vn().hour != conf.directory_sync_hour():
        return 0
    try:
        result = vxp_directory.sync_from(VxpClient(url, system_id, secret))
    except (VxpError, HubUnreachableError) as exc:
        log.warning("vxp: directory not synchronised from %s (%s)", url, exc)
        return 0
    return result.changed
