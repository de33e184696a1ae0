"""Directory entries as the SDK returns them (getAgenciesList, getAgenciesListQD20)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class VxpAgency:
    """One entry. In getAgenciesList `code` is the QCVN 102 code (`oldCode`: a former code);
    in getAgenciesListQD20 `code` is the QĐ 20/2020 code and `code102` the QCVN 102 one."""

    id: str
    pid: str
    code: str
    name: str
    mail: str = ""
    old_code: str = ""
    code102: str = ""

    def as_sdk(self) -> dict[str, str]:
        row = {"id": self.id, "pid": self.pid, "code": self.code, "name": self.name, "mail": self.mail}
        if self.old_code:
            row["oldCode"] = self.old_code
        if self.code102:
            row["code102"] = self.code102
        return row


def _s(item: dict[str, Any], key: str) -> str:
    value = item.get(key)
    return "" if value is None else str(value).strip()


def parse_agencies(data: Any) -> list[VxpAgency]:
    """Entries from an envelope's `data`; items that are not objects are dropped."""
    if not isinstance(data, list):
        return []
    return [VxpAgency(id=_s(i, "id"), pid=_s(i, "pid"), code=_s(i, "code"), name=_s(i, "name"),
                      mail=_s(i, "mail"), old_code=_s(i, "oldCode"), code102=_s(i, "code102"))
            for i in data if isinstance(i, dict)]
