"""Dates kept as ISO text (archival metadata) shown dd/mm/yyyy on pages."""

from __future__ import annotations

from django import template

from vanban.core.clock import display_iso_date

register = template.Library()


@register.filter
def iso_day(value: str | None) -> str:
    return display_iso_date(value)
