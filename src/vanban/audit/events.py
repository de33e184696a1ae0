"""The audit actions of `audit` (vanban.audit.services.record_event), one name for each;
the Vietnamese a person reads for each is in `vanban.audit.labels`."""

from __future__ import annotations

CHECKPOINT_CREATED = "audit.checkpoint_created"  # lập điểm chứng thực nhật ký
