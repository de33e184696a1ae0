"""Template filters for Vietnamese number formatting in report pages."""

from __future__ import annotations

from django import template

from vanban.reports.numbers import vn_decimal, vn_int

register = template.Library()


@register.filter
def vnint(value: int | float | None) -> str:
    return vn_int(value)


@register.filter
def vndec(value: float | None) -> str:
    return vn_decimal(value)


@register.filter
def vnpercent(value: float | None) -> str:
    return "–" if value is None else vn_decimal(value) + " %"


@register.filter
def vnnum(value: int | float | None) -> str:
    """Integers as 1.234, fractions (average days) as 12,5."""
    return vn_decimal(value) if isinstance(value, float) else vn_int(value)
