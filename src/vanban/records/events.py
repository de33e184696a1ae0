"""The audit actions of `records` (vanban.audit.services.record_event), one name for each;
the Vietnamese a person reads for each is in `vanban.audit.labels`."""

from __future__ import annotations

AIP_CREATED = "records.aip_created"
ARCHIVE_READ = "records.archive_read"  # đọc hồ sơ lưu trữ
CATALOG_ENTRY_ADDED = "records.catalog_entry_added"  # thêm mục vào danh mục hồ sơ
CATALOG_ENTRY_CHANGED = "records.catalog_entry_changed"  # sửa mục trong danh mục hồ sơ
CATALOG_ENTRY_REMOVED = "records.catalog_entry_removed"  # bỏ mục khỏi danh mục hồ sơ
CATALOG_IMPORTED = "records.catalog_imported"  # nhập danh mục hồ sơ
DIGITISATION_STARTED = "records.digitisation_started"  # bắt đầu số hóa hàng loạt vào hồ sơ
DIP_CREATED = "records.dip_created"
DOCUMENT_FILED = "records.document_filed"  # đưa văn bản vào hồ sơ
DOSSIER_ARCHIVED = "records.dossier_archived"  # hồ sơ vào lưu trữ
DOSSIER_CLOSED = "records.dossier_closed"  # kết thúc hồ sơ
DOSSIER_EXPORTED = "records.dossier_exported"  # xuất gói lưu trữ
DOSSIER_IMPORTED = "records.dossier_imported"  # nhập gói lưu trữ
DOSSIER_METADATA_CHANGED = "records.dossier_metadata_changed"  # sửa đặc tả hồ sơ
DOSSIER_OPENED = "records.dossier_opened"  # lập hồ sơ
DOSSIER_RETURNED = "records.dossier_returned"  # hồ sơ bị trả lại
DOSSIER_SUBMITTED = "records.dossier_submitted"  # nộp lưu hồ sơ
FILE_ADDED = "records.file_added"  # thêm tài liệu vào hồ sơ
FIXITY_FINISHED = "records.fixity_finished"  # xong kiểm tra toàn vẹn
FIXITY_STARTED = "records.fixity_started"  # bắt đầu kiểm tra toàn vẹn
FONDS_CHANGED = "records.fonds_changed"
HOLD_LIFTED = "records.hold_lifted"
HOLD_SET = "records.hold_set"
ITEM_METADATA_CHANGED = "records.item_metadata_changed"  # sửa đặc tả tài liệu
ITEM_REMOVED = "records.item_removed"  # bỏ tài liệu khỏi hồ sơ
ITEMS_REORDERED = "records.items_reordered"  # sắp xếp lại tài liệu
SCAN_DIGITISED = "records.scan_digitised"  # số hóa một tài liệu giấy vào hồ sơ
SUBMISSION_EXTENDED = "records.submission_extended"
SUBMISSION_TERMS_CHANGED = "records.submission_terms_changed"
TRANSFER_ACCEPTED = "records.transfer_accepted"  # nhận nộp lưu
TRANSFER_DECIDED = "records.transfer_decided"  # tiếp nhận một phần danh mục nộp lưu
TRANSFER_RETURNED = "records.transfer_returned"  # trả lại danh mục nộp lưu
TRANSFER_SUBMITTED = "records.transfer_submitted"  # gửi danh mục nộp lưu
