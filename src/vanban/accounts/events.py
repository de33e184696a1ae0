"""The audit actions of `accounts` (vanban.audit.services.record_event), one name for each;
the Vietnamese a person reads for each is in `vanban.audit.labels`."""

from __future__ import annotations

DELEGATION_GIVEN = "accounts.delegation_given"  # ủy quyền ký
DELEGATION_REVOKED = "accounts.delegation_revoked"  # thu hồi ủy quyền ký
LOGIN = "accounts.login"  # đăng nhập
LOGIN_FAILED = "accounts.login_failed"  # đăng nhập sai
LOGOUT = "accounts.logout"  # đăng xuất
PASSWORD_CHANGED = "accounts.password_changed"  # đổi mật khẩu
ROLE_CHANGE_APPROVED = "accounts.role_change_approved"  # phê duyệt đổi vai trò
ROLE_CHANGE_REFUSED = "accounts.role_change_refused"  # từ chối đổi vai trò
ROLE_CHANGE_REQUESTED = "accounts.role_change_requested"  # đề nghị đổi vai trò văn thư/lãnh đạo
ROLES_CHANGED = "accounts.roles_changed"  # đổi vai trò
TOKEN_CREATED = "accounts.token_created"  # cấp khóa API hệ thống
TOKEN_REVOKED = "accounts.token_revoked"  # thu hồi khóa API hệ thống
UNIT_MEMBERSHIP_REMOVED = "accounts.unit_membership_removed"  # đưa người ra khỏi đơn vị
UNIT_MEMBERSHIP_SET = "accounts.unit_membership_set"  # xếp người vào đơn vị
USER_CHANGED = "accounts.user_changed"  # sửa thông tin người dùng
USER_CREATED = "accounts.user_created"  # tạo người dùng
