"""The archive's sub-navigation shows only the pages this person may open in their agency."""

from __future__ import annotations

from typing import Any

from django import template

from vanban.accounts.current import current_agency
from vanban.accounts.permissions import can_see_operations
from vanban.records import permissions

register = template.Library()


@register.simple_tag(takes_context=True)
def records_links(context: Any) -> list[tuple[str, str]]:
    """(URL name, label) in the order of the archive's work: one's dossiers, the catalog and the
    transfers for the agency's staff; the archive, its fonds, appraisal and submission deadlines
    for archivists and leaders; the integrity check for archivists (and operators)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    agency = current_agency(request) if request is not None else None
    if user is None or agency is None:
        return []
    links = []
    if permissions.is_staff(user, agency.pk):
        links += [("records:my_dossiers", "Hồ sơ của tôi"), ("records:catalog", "Danh mục hồ sơ"),
                  ("records:transfers", "Nộp lưu")]
    if permissions.can_view_archive(user, agency.pk):
        links.append(("records:archive", "Kho lưu trữ"))
    if permissions.is_archivist(user, agency.pk) or can_see_operations(user):
        links.append(("records:fixity", "Kiểm tra toàn vẹn"))
    if permissions.can_view_archive(user, agency.pk):
        links += [("records:fonds", "Phông"), ("records:destructions", "Xét hủy"),
                  ("records:submission_due", "Hạn nộp lưu")]
    return links
