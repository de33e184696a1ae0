"""Navigation by role: each entry says who sees it."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse

from vanban.accounts.roles import Role

ANY = frozenset(Role.values)


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    roles: frozenset[str]


NAV: tuple[NavItem, ...] = (
    NavItem("Trang chủ", "home", ANY),
    NavItem("Văn bản đến", "incoming_list", frozenset({Role.CLERK, Role.LEADER})),
    NavItem("Gói tin cách ly", "exchange_quarantine", frozenset({Role.CLERK})),
    NavItem("Công việc của tôi", "my_work", frozenset({Role.SPECIALIST, Role.LEADER})),
    NavItem("Văn bản đi", "drafts", frozenset({Role.SPECIALIST, Role.LEADER, Role.CLERK})),
    NavItem("Sổ văn bản đi", "outgoing_book", frozenset({Role.CLERK, Role.LEADER, Role.ARCHIVIST})),
    NavItem("Tìm kiếm", "search:search", ANY),
    NavItem("Báo cáo", "reports:index", frozenset({Role.LEADER, Role.CLERK, Role.HUB_OPERATOR})),
    NavItem("Hồ sơ", "records:my_dossiers", frozenset({Role.SPECIALIST, Role.LEADER, Role.CLERK, Role.ARCHIVIST})),
    NavItem("Lưu trữ", "records:archive", frozenset({Role.ARCHIVIST})),
    NavItem("Danh bạ cơ quan", "agency_directory", ANY),
    NavItem("Người dùng", "user_list", frozenset({Role.AGENCY_ADMIN})),
    NavItem("Đơn vị", "unit_list", frozenset({Role.AGENCY_ADMIN})),
    NavItem("Duyệt vai trò", "role_requests", frozenset({Role.LEADER})),
    NavItem("Ủy quyền ký", "delegations", frozenset({Role.LEADER, Role.AGENCY_ADMIN})),
    NavItem("Thời hạn xử lý", "deadline_rules", frozenset({Role.AGENCY_ADMIN})),
    NavItem("Quy trình xử lý", "processes", frozenset({Role.AGENCY_ADMIN, Role.LEADER, Role.CLERK})),
    NavItem("Nhật ký", "audit_log", frozenset({Role.AGENCY_ADMIN, Role.LEADER})),
    NavItem("Kho tin cậy", "trust_anchors", frozenset({Role.AGENCY_ADMIN, Role.HUB_OPERATOR})),
    NavItem("Tổ chức lại cơ quan", "reorganise", frozenset()),  # the province's administrator only
    NavItem("Trục liên thông", "hub:dashboard", frozenset({Role.HUB_OPERATOR})),
    NavItem("Vận hành", "operations", frozenset({Role.HUB_OPERATOR})),
)


def nav_for(roles: set[str], *, superuser: bool = False,
            counts: dict[str, int] | None = None) -> list[dict[str, object]]:
    counts = counts or {}
    items = []
    for item in NAV:
        if not (superuser or roles & item.roles):
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:  # a page of a role this process does not serve (VANBAN_ROLES)
            continue
        items.append({"label": item.label, "url": url, "name": item.url_name, "count": counts.get(item.url_name, 0)})
    return items
