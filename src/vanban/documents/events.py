"""The audit actions of `documents` (vanban.audit.services.record_event), one name for each;
the Vietnamese a person reads for each is in `vanban.audit.labels`."""

from __future__ import annotations

ACCEPTED = "documents.accepted"  # tiếp nhận, vào sổ đến
APPROVED_SIGNED = "documents.approved_signed"  # ký số và duyệt
ARRIVED = "documents.arrived"  # văn bản đến hệ thống (qua trục liên thông)
DRAFT_CREATED = "documents.draft_created"  # tạo dự thảo
DRAFT_RETURNED = "documents.draft_returned"  # trả lại để sửa
DRAFT_SUBMITTED = "documents.draft_submitted"  # trình lãnh đạo duyệt
DRAFT_UPDATED = "documents.draft_updated"  # sửa dự thảo
FILE_OPENED = "documents.file_opened"  # mở tệp
FILE_REMOVED = "documents.file_removed"  # bỏ một tệp
ISSUED = "documents.issued"  # ký số cơ quan và phát hành
OPENED = "documents.opened"  # mở xem văn bản
PAPER_REGISTERED = "documents.paper_registered"  # vào sổ văn bản giấy
REJECTED = "documents.rejected"  # từ chối tiếp nhận
REVOKED = "documents.revoked"  # thu hồi văn bản
REVOKED_BY_SENDER = "documents.revoked_by_sender"  # cơ quan gửi thu hồi văn bản
SCAN_OCR_REQUESTED = "documents.scan_ocr_requested"  # gửi bản quét đi nhận dạng chữ (OCR)
SIGNATURE_PREPARED = "documents.signature_prepared"  # chuẩn bị ký bằng token USB
