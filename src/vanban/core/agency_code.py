"""Agency codes of QCVN 102:2016/BTTTT (mã định danh cơ quan, `V1V2V3.Z1Z2.Y1Y2.M`).

The code reads right to left: the last group is the level-1 unit (a letter and two
digits), then level 2 (two digits), level 3 (two digits), level 4 (three digits).
Zeros mean "no unit at that level", so `000.00.00.H16` is a level-1 unit itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["AgencyCode", "AgencyCodeError", "is_agency_code", "parse_agency_code"]

_SHAPE = re.compile(r"^(\d{3})\.(\d{2})\.(\d{2})\.([A-Z])(\d{2})$", re.ASCII)

# What the level-1 letter denotes, as seen in the national directory.
LEVEL1_KINDS: dict[str, str] = {
    "A": "Cơ quan Đảng",
    "B": "Văn phòng Chủ tịch nước",
    "C": "Cơ quan của Quốc hội",
    "D": "Tòa án nhân dân tối cao",
    "E": "Viện kiểm sát nhân dân tối cao",
    "F": "Kiểm toán nhà nước",
    "G": "Bộ, cơ quan ngang bộ, cơ quan thuộc Chính phủ",
    "H": "Tỉnh, thành phố trực thuộc trung ương",
    "K": "Tổ chức chính trị - xã hội",
}


class AgencyCodeError(ValueError):
    """A malformed agency code; `reason` is Vietnamese and names what is wrong."""

    code = "AGENCY_CODE_INVALID"

    def __init__(self, value: str, reason: str) -> None:
        super().__init__(f"Mã định danh cơ quan '{value}' không hợp lệ: {reason}")
        self.value = value
        self.reason = reason


@dataclass(frozen=True, slots=True, order=True)
class AgencyCode:
    """A parsed, valid QCVN 102 agency code."""

    level1: str  # letter + two digits, e.g. "H16"
    level2: str  # "00".."99"
    level3: str  # "00".."99"
    level4: str  # "000".."999"

    def __str__(self) -> str:
        return f"{self.level4}.{self.level3}.{self.level2}.{self.level1}"

    @property
    def level(self) -> int:
        """1 for a level-1 unit (`000.00.00.H16`) … 4 for a level-4 unit."""
        if self.level4 != "000":
            return 4
        if self.level3 != "00":
            return 3
        if self.level2 != "00":
            return 2
        return 1

    @property
    def kind(self) -> str:
        return LEVEL1_KINDS.get(self.level1[0], "Khác")

    def parent(self) -> AgencyCode | None:
        """The unit one level up; None for a level-1 unit."""
        match self.level:
            case 4:
                return AgencyCode(self.level1, self.level2, self.level3, "000")
            case 3:
                return AgencyCode(self.level1, self.level2, "00", "000")
            case 2:
                return AgencyCode(self.level1, "00", "00", "000")
        return None

    def ancestors(self) -> list[AgencyCode]:
        """Parents from the nearest up to the level-1 unit."""
        out: list[AgencyCode] = []
        node = self.parent()
        while node is not None:
            out.append(node)
            node = node.parent()
        return out

    def explain(self) -> list[str]:
        """One Vietnamese line per group, for the directory page and `vanban agencies explain`."""
        lines = [f"Cấp 1: {self.level1} ({self.kind})"]
        for n, group in ((2, self.level2), (3, self.level3), (4, self.level4)):
            if set(group) == {"0"}:
                lines.append(f"Cấp {n}: {group} (không có đơn vị ở cấp này)")
            else:
                lines.append(f"Cấp {n}: {group}")
        return lines


def parse_agency_code(value: str) -> AgencyCode:
    """Parse and validate; raise AgencyCodeError with a precise reason."""
    if not isinstance(value, str):
        raise AgencyCodeError(repr(value), "không phải chuỗi ký tự")
    raw = value
    value = value.strip()
    if not value:
        raise AgencyCodeError(raw, "mã trống")
    m = _SHAPE.match(value)
    if m is None:
        raise AgencyCodeError(raw, _why_malformed(value))
    l4, l3, l2, letter, digits = m.groups()
    if digits == "00":
        raise AgencyCodeError(raw, "mã cấp 1 phải từ 01 đến 99, không được là 00")
    code = AgencyCode(letter + digits, l2, l3, l4)
    # A unit cannot sit below an empty level: 001.00.05.H16 is fine (level 4 under level 2
    # skipping level 3 happens in real registries), so only the shape is enforced here.
    return code


def is_agency_code(value: object) -> bool:
    if not isinstance(value, str):
        return False  # parse_agency_code refuses it too
    try:
        parse_agency_code(value)
    except AgencyCodeError:
        return False
    return True


def _why_malformed(value: str) -> str:
    groups = value.split(".")
    if len(value) != 13:
        return f"phải có đúng 13 ký tự dạng V1V2V3.Z1Z2.Y1Y2.M (ví dụ 000.00.00.H16), đang có {len(value)}"
    if len(groups) != 4:
        return "phải gồm 4 nhóm ngăn cách bởi dấu chấm (V1V2V3.Z1Z2.Y1Y2.M)"
    names = ("cấp 4 (V1V2V3) phải là 3 chữ số", "cấp 3 (Z1Z2) phải là 2 chữ số",
             "cấp 2 (Y1Y2) phải là 2 chữ số")
    for group, size, reason in zip(groups[:3], (3, 2, 2), names, strict=True):
        if len(group) != size or not group.isdigit() or not group.isascii():
            return f"nhóm '{group}': {reason}"
    last = groups[3]
    if len(last) != 3 or not ("A" <= last[0] <= "Z") or not last[1:].isdigit() or not last.isascii():
        return f"nhóm '{last}': cấp 1 (M) phải là một chữ cái in hoa và 2 chữ số, ví dụ H16"
    return "sai định dạng"
