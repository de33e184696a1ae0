"""The pager's page numbers, computed around the current page: a list of 1 200 pages costs the
same as a list of 3 (the template used to walk every page number to pick the few it shows)."""

from __future__ import annotations

from django import template
from django.core.paginator import Page

register = template.Library()

GAP = None  # printed as "…"


@register.filter
def page_links(page: Page) -> list[int | None]:
    """1, the last page and the current page ±2 as links; "…" where the next hidden page begins."""
    last, current = page.paginator.num_pages, page.number
    shown = sorted({1, last, *range(max(1, current - 3), min(last, current + 3) + 1)})
    out: list[int | None] = []
    for n in shown:
        if n == current or n in (1, last) or abs(n - current) <= 2:
            out.append(n)
        elif abs(n - current) == 3:
            out.append(GAP)
    return out
