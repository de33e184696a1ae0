"""The audit actions of `trust` (vanban.audit.services.record_event), one name for each;
the Vietnamese a person reads for each is in `vanban.audit.labels`."""

from __future__ import annotations

ANCHOR_ADDED = "trust.anchor_added"  # thêm chứng thư gốc tin cậy
CREDENTIAL_REGISTERED = "trust.credential_registered"  # đăng ký chứng thư số để ký
KEK_ROTATED = "trust.kek_rotated"
