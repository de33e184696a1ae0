"""The audit actions of `exchange` (vanban.audit.services.record_event), one name for each;
the Vietnamese a person reads for each is in `vanban.audit.labels`."""

from __future__ import annotations

PACKAGE_QUARANTINED = "exchange.package_quarantined"
PACKAGE_SENT = "exchange.package_sent"  # gửi gói tin liên thông
PACKAGE_UNREADABLE = "exchange.package_unreadable"  # gói tin không đọc được
QUARANTINE_DISCARDED = "exchange.quarantine_discarded"
QUARANTINE_REJECTED = "exchange.quarantine_rejected"
QUARANTINE_RETRIED = "exchange.quarantine_retried"
STATUS_RECEIVED = "exchange.status_received"  # nhận phản hồi trạng thái
