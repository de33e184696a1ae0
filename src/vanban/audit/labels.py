"""Vietnamese for every audit action and object kind: what a person reads in the audit log and
in a document's journey. The codes stay in the database (machines read them); people never
see them. An action without a label reads as its app's "thao tác khác", never as its code."""

from __future__ import annotations

ACTIONS: dict[str, str] = {
    "accounts.login": "đăng nhập", "accounts.login_failed": "đăng nhập sai", "accounts.logout": "đăng xuất",
    "accounts.password_changed": "đổi mật khẩu", "accounts.user_created": "tạo người dùng",
    "accounts.user_changed": "sửa thông tin người dùng", "accounts.roles_changed": "đổi vai trò",
    "accounts.role_change_requested": "đề nghị đổi vai trò văn thư/lãnh đạo",
    "accounts.role_change_approved": "phê duyệt đổi vai trò", "accounts.role_change_refused": "từ chối đổi vai trò",
    "accounts.token_created": "cấp khóa API hệ thống", "accounts.token_revoked": "thu hồi khóa API hệ thống",
    "agencies.imported": "nhập danh bạ cơ quan", "agencies.changed": "sửa thông tin cơ quan",
    "agencies.deleted": "xóa cơ quan khỏi danh bạ",
    "agencies.reorganised": "tổ chức lại cơ quan (sáp nhập, chia tách, đổi tên, đổi mã)",
    "agencies.split": "chia tách cơ quan",
    "agencies.unit_created": "thêm đơn vị", "agencies.unit_changed": "sửa đơn vị",
    "agencies.units_imported": "nhập danh sách đơn vị", "accounts.unit_membership_set": "xếp người vào đơn vị",
    "accounts.delegation_given": "ủy quyền ký", "accounts.delegation_revoked": "thu hồi ủy quyền ký",
    "accounts.unit_membership_removed": "đưa người ra khỏi đơn vị",
    "documents.draft_created": "tạo dự thảo", "documents.draft_updated": "sửa dự thảo",
    "documents.draft_submitted": "trình lãnh đạo duyệt", "documents.draft_returned": "trả lại để sửa",
    "documents.approved_signed": "ký số và duyệt",
    "documents.signature_prepared": "chuẩn bị ký bằng token USB",
    "documents.scan_ocr_requested": "gửi bản quét đi nhận dạng chữ (OCR)",
    "documents.issued": "ký số cơ quan và phát hành",
    "documents.file_removed": "bỏ một tệp", "documents.revoked": "thu hồi văn bản",
    "documents.arrived": "văn bản đến hệ thống (qua trục liên thông)", "documents.accepted": "tiếp nhận, vào sổ đến",
    "documents.rejected": "từ chối tiếp nhận", "documents.paper_registered": "vào sổ văn bản giấy",
    "documents.revoked_by_sender": "cơ quan gửi thu hồi văn bản", "documents.opened": "mở xem văn bản",
    "documents.file_opened": "mở tệp",
    "workflow.forwarded": "chuyển lãnh đạo", "workflow.assigned": "chỉ đạo, phân công xử lý",
    "workflow.unit_assigned": "phân công trong đơn vị", "workflow.unit_returned": "đơn vị trả lại văn bản",
    "workflow.started": "bắt đầu xử lý", "workflow.note_added": "ghi chú xử lý",
    "workflow.completed_part": "hoàn thành phần việc", "workflow.document_completed": "văn bản đã xử lý xong",
    "workflow.consultation_asked": "xin ý kiến về dự thảo", "workflow.consultation_answered": "cho ý kiến về dự thảo",
    "workflow.deadline_rule_set": "đặt thời hạn xử lý", "workflow.deadline_rule_deleted": "bỏ thời hạn xử lý",
    "workflow.process_created": "tạo quy trình xử lý", "workflow.process_draft_opened": "soạn phiên bản quy trình",
    "workflow.process_step_added": "thêm bước quy trình", "workflow.process_step_removed": "bỏ bước quy trình",
    "workflow.process_transition_added": "thêm thao tác quy trình",
    "workflow.process_transition_removed": "bỏ thao tác quy trình",
    "workflow.process_published": "ban hành quy trình xử lý", "workflow.process_withdrawn": "thôi áp dụng quy trình",
    "workflow.process_started": "vào quy trình xử lý của cơ quan", "workflow.process_moved": "chuyển bước xử lý",
    "workflow.process_reassigned": "giao lại bước xử lý",
    "exchange.status_received": "nhận phản hồi trạng thái", "exchange.package_sent": "gửi gói tin liên thông",
    "exchange.package_unreadable": "gói tin không đọc được",
    "records.catalog_imported": "nhập danh mục hồ sơ", "records.dossier_opened": "lập hồ sơ",
    "records.catalog_entry_added": "thêm mục vào danh mục hồ sơ",
    "records.catalog_entry_changed": "sửa mục trong danh mục hồ sơ",
    "records.catalog_entry_removed": "bỏ mục khỏi danh mục hồ sơ",
    "records.document_filed": "đưa văn bản vào hồ sơ", "records.file_added": "thêm tài liệu vào hồ sơ",
    "records.scan_digitised": "số hóa một tài liệu giấy vào hồ sơ",
    "records.digitisation_started": "bắt đầu số hóa hàng loạt vào hồ sơ",
    "records.item_removed": "bỏ tài liệu khỏi hồ sơ", "records.items_reordered": "sắp xếp lại tài liệu",
    "records.dossier_metadata_changed": "sửa đặc tả hồ sơ", "records.item_metadata_changed": "sửa đặc tả tài liệu",
    "records.dossier_closed": "kết thúc hồ sơ", "records.dossier_submitted": "nộp lưu hồ sơ",
    "records.dossier_archived": "hồ sơ vào lưu trữ", "records.dossier_returned": "hồ sơ bị trả lại",
    "records.transfer_submitted": "gửi danh mục nộp lưu", "records.transfer_accepted": "nhận nộp lưu",
    "records.transfer_returned": "trả lại danh mục nộp lưu",
    "records.transfer_decided": "tiếp nhận một phần danh mục nộp lưu", "records.archive_read": "đọc hồ sơ lưu trữ",
    "records.dossier_exported": "xuất gói lưu trữ", "records.dossier_imported": "nhập gói lưu trữ",
    "records.fixity_started": "bắt đầu kiểm tra toàn vẹn", "records.fixity_finished": "xong kiểm tra toàn vẹn",
    "trust.anchor_added": "thêm chứng thư gốc tin cậy", "trust.credential_registered": "đăng ký chứng thư số để ký",
    "hub.endpoint_created": "tạo điểm kết nối trục", "hub.endpoint_revoked": "thu hồi điểm kết nối trục",
    "hub.certificate_added": "đăng ký chứng thư của cơ quan tại trục",
    "hub.package_accepted": "trục nhận gói tin", "hub.package_forwarded": "trục chuyển tiếp gói tin",
    "hub.package_delivered": "trục giao gói tin", "hub.vxp_system_created": "tạo hệ thống kết nối VXP",
    "hub.vxp_secret_rotated": "đổi khóa bí mật VXP", "hub.vxp_agency_registered": "đăng ký cơ quan qua VXP",
    "hub.vxp_agency_deleted": "xóa cơ quan qua VXP",
    "hub.checkpoint_witnessed": "trục lưu bản chứng thực nhật ký",
    "hub.checkpoint_refused": "trục từ chối bản chứng thực nhật ký",
    "audit.checkpoint_created": "lập điểm chứng thực nhật ký",
    "exchange.package_quarantined": "đưa gói tin không đọc được vào danh sách cách ly",
    "exchange.quarantine_retried": "xử lý lại gói tin bị cách ly",
    "exchange.quarantine_discarded": "bỏ gói tin bị cách ly",
    "exchange.quarantine_rejected": "báo nơi gửi: không tiếp nhận được gói tin (trạng thái 02)",
    "hub.package_refused": "trục từ chối gói tin", "hub.refused_retried": "trục xử lý lại gói tin bị từ chối",
    "hub.refused_discarded": "trục bỏ gói tin bị từ chối",
    "hub.endpoint_policy_changed": "đổi quy định của điểm kết nối trục",
    "records.aip_created": "lập gói lưu trữ (AIP)", "records.dip_created": "lập gói khai thác (DIP)",
    "records.fonds_changed": "sửa thông tin phông lưu trữ",
    "records.hold_set": "phong tỏa hồ sơ", "records.hold_lifted": "bỏ phong tỏa hồ sơ",
    "records.submission_extended": "gia hạn nộp lưu hồ sơ",
    "records.submission_terms_changed": "sửa căn cứ tính hạn nộp lưu",
    "trust.kek_rotated": "đổi khóa mã hóa khóa (KEK)",
}

APPS: dict[str, str] = {
    "accounts": "tài khoản", "agencies": "danh bạ", "documents": "văn bản", "workflow": "xử lý văn bản",
    "exchange": "liên thông", "records": "hồ sơ, lưu trữ", "trust": "chứng thư số", "hub": "trục liên thông",
    "audit": "nhật ký", "search": "tìm kiếm", "reports": "báo cáo",
}

OBJECTS: dict[str, str] = {
    "accounts.user": "người dùng", "accounts.apitoken": "khóa API", "agencies.agency": "cơ quan",
    "agencies.reorganisation": "lần tổ chức lại", "accounts.delegation": "ủy quyền ký",
    "documents.document": "văn bản", "records.dossier": "hồ sơ", "records.catalog": "danh mục hồ sơ",
    "records.archivetransfer": "danh mục nộp lưu", "trust.credential": "chứng thư số",
    "trust.trustanchor": "chứng thư gốc", "hub.endpoint": "điểm kết nối", "hub.package": "gói tin",
    "hub.agencycertificate": "chứng thư cơ quan", "hub.vxpsystem": "hệ thống VXP",
}

SYSTEM_ACTORS = ("", "system", "demo", "cli", "hub")


def action_label(action: str) -> str:
    if action in ACTIONS:
        return ACTIONS[action]
    app = action.split(".", 1)[0]
    return f"{APPS[app]}: thao tác khác" if app in APPS else "thao tác khác của hệ thống"


def object_label(object_type: str) -> str:
    if object_type in OBJECTS:
        return OBJECTS[object_type]
    app = object_type.split(".", 1)[0]
    return APPS.get(app, "đối tượng")
