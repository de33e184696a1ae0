"""The audit actions the hub writes (vanban.audit.services.record_event)."""

from __future__ import annotations

ENDPOINT_CREATED = "hub.endpoint_created"
ENDPOINT_REVOKED = "hub.endpoint_revoked"
CERTIFICATE_ADDED = "hub.certificate_added"
PACKAGE_ACCEPTED = "hub.package_accepted"
PACKAGE_FORWARDED = "hub.package_forwarded"
PACKAGE_DELIVERED = "hub.package_delivered"
PACKAGE_REFUSED = "hub.package_refused"
REFUSED_RETRIED = "hub.refused_retried"
REFUSED_DISCARDED = "hub.refused_discarded"
ENDPOINT_POLICY_CHANGED = "hub.endpoint_policy_changed"
