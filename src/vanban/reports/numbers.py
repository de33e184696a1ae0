"""Numbers and dates the Vietnamese way: 1.234.567 and 12,5; dd/mm/yyyy."""

from __future__ import annotations

from datetime import date, datetime

from vanban.core.clock import VN_TZ


def vn_int(value: int | float | None) -> str:
    if value is None:
        return "–"
    return f"{round(value):,}".replace(",", ".")


def vn_decimal(value: float | None, places: int = 1) -> str:
    if value is None:
        return "–"
    whole, _, frac = f"{value:,.{places}f}".partition(".")
    return whole.replace(",", ".") + ("," + frac if frac else "")


def vn_date(value: date | datetime) -> str:
    if isinstance(value, datetime):
        value = value.astimezone(VN_TZ)
    return value.strftime("%d/%m/%Y")


def date_line(place: str, value: date) -> str:
    """'Đắk Lắk, ngày 05 tháng 10 năm 2026' (Nghị định 30/2020, Phụ lục I)."""
    day = f"{value.day:02d}" if value.day < 10 else str(value.day)
    month = f"{value.month:02d}" if value.month < 3 else str(value.month)
    return f"{place}, ngày {day} tháng {month} năm {value.year}"
