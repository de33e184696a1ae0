"""The audit actions of `workflow` (vanban.audit.services.record_event), one name for each;
the Vietnamese a person reads for each is in `vanban.audit.labels`."""

from __future__ import annotations

ASSIGNED = "workflow.assigned"  # chỉ đạo, phân công xử lý
COMPLETED_PART = "workflow.completed_part"  # hoàn thành phần việc
CONSULTATION_ANSWERED = "workflow.consultation_answered"  # cho ý kiến về dự thảo
CONSULTATION_ASKED = "workflow.consultation_asked"  # xin ý kiến về dự thảo
DEADLINE_RULE_DELETED = "workflow.deadline_rule_deleted"  # bỏ thời hạn xử lý
DEADLINE_RULE_SET = "workflow.deadline_rule_set"  # đặt thời hạn xử lý
DOCUMENT_COMPLETED = "workflow.document_completed"  # văn bản đã xử lý xong
FORWARDED = "workflow.forwarded"  # chuyển lãnh đạo
NOTE_ADDED = "workflow.note_added"  # ghi chú xử lý
PROCESS_CREATED = "workflow.process_created"  # tạo quy trình xử lý
PROCESS_DRAFT_OPENED = "workflow.process_draft_opened"  # soạn phiên bản quy trình
PROCESS_MOVED = "workflow.process_moved"  # chuyển bước xử lý
PROCESS_PUBLISHED = "workflow.process_published"  # ban hành quy trình xử lý
PROCESS_REASSIGNED = "workflow.process_reassigned"  # giao lại bước xử lý
PROCESS_STARTED = "workflow.process_started"  # vào quy trình xử lý của cơ quan
PROCESS_STEP_ADDED = "workflow.process_step_added"  # thêm bước quy trình
PROCESS_STEP_REMOVED = "workflow.process_step_removed"  # bỏ bước quy trình
PROCESS_TRANSITION_ADDED = "workflow.process_transition_added"  # thêm thao tác quy trình
PROCESS_TRANSITION_REMOVED = "workflow.process_transition_removed"  # bỏ thao tác quy trình
PROCESS_WITHDRAWN = "workflow.process_withdrawn"  # thôi áp dụng quy trình
STARTED = "workflow.started"  # bắt đầu xử lý
UNIT_ASSIGNED = "workflow.unit_assigned"  # phân công trong đơn vị
UNIT_RETURNED = "workflow.unit_returned"  # đơn vị trả lại văn bản
