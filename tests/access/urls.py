"""Every URL the project serves, from Django's resolver, with its path filled with A's objects.

A new URL with a path parameter and no entry in FILL fails the access tests: whoever adds a
page or an endpoint says which of A's objects it names, and so gets it tested.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver

# route (as the resolver spells it, prefixes joined) -> {path parameter: key in World.ids}
FILL: dict[str, dict[str, str]] = {
    "danh-ba/<str:code>/": {"code": "agency_code"},
    "xac-thuc/<str:code>/": {"code": "unknown_code"},
    "nguoi-dung/<int:user_id>/": {"user_id": "user"},
    "don-vi/xuat.<str:fmt>": {"fmt": "export_format"},
    "don-vi/<int:unit_id>/": {"unit_id": "unit"},
    "uy-quyen/<int:pk>/thu-hoi/": {"pk": "delegation"},
    "cong-viec/thoi-han/<int:pk>/bo/": {"pk": "deadline_rule"},
    "cong-viec/quy-trinh/<int:pk>/": {"pk": "process"},
    "cong-viec/thong-bao/<int:pk>/": {"pk": "notification"},
    "cong-viec/quy-trinh/<int:pk>/sua/": {"pk": "process"},
    "cong-viec/quy-trinh/<int:pk>/thoi-ap-dung/": {"pk": "process"},
    "cong-viec/quy-trinh/phien-ban/<int:pk>/them-buoc/": {"pk": "process_version"},
    "cong-viec/quy-trinh/phien-ban/<int:pk>/them-thao-tac/": {"pk": "process_version"},
    "cong-viec/quy-trinh/phien-ban/<int:pk>/ban-hanh/": {"pk": "process_version"},
    "cong-viec/quy-trinh/buoc/<int:pk>/bo/": {"pk": "process_step"},
    "cong-viec/quy-trinh/thao-tac/<int:pk>/bo/": {"pk": "process_transition"},
    "cong-viec/quy-trinh/van-ban/<int:pk>/chuyen/": {"pk": "incoming"},
    "cong-viec/quy-trinh/van-ban/<int:pk>/giao-lai/": {"pk": "incoming"},
    "van-ban-di/<int:pk>/xin-y-kien/": {"pk": "draft"},
    "van-ban-di/<int:pk>/y-kien/<int:request_id>/": {"pk": "draft", "request_id": "consultation_request"},
    "don-vi/<int:unit_id>/xep-nguoi/": {"unit_id": "unit"},
    "don-vi/<int:unit_id>/bo-nguoi/<int:membership_id>/": {"unit_id": "unit", "membership_id": "unit_membership"},
    "api/v1/agencies/<code>": {"code": "agency_code"},
    "api/v1/documents/<pk>": {"pk": "draft"},
    "api/v1/documents/<pk>/submit": {"pk": "draft"},
    "api/v1/documents/<pk>/return": {"pk": "submitted"},
    "api/v1/documents/<pk>/approve": {"pk": "submitted"},
    "api/v1/documents/<pk>/issue": {"pk": "approved"},
    "api/v1/documents/<pk>/revoke": {"pk": "issued"},
    "api/v1/documents/<pk>/signatures": {"pk": "draft"},
    "api/v1/records/dossiers/<pk>": {"pk": "dossier"},
    "api/v1/records/dossiers/<pk>/items": {"pk": "dossier"},
    "api/v1/records/dossiers/<pk>/metadata": {"pk": "dossier"},
    "api/v1/records/dossiers/<pk>/close": {"pk": "dossier"},
    "api/v1/records/catalogs/<year>": {"year": "year"},
    "api/v1/records/transfers/<pk>/accept": {"pk": "transfer"},
    "api/v1/records/transfers/<pk>/return": {"pk": "transfer"},
    "api/v1/records/transfers/<pk>/decide": {"pk": "transfer"},
    "api/v1/incoming/<pk>": {"pk": "incoming"},
    "api/v1/incoming/<pk>/accept": {"pk": "incoming"},
    "api/v1/incoming/<pk>/reject": {"pk": "incoming"},
    "api/v1/incoming/<pk>/assign": {"pk": "incoming"},
    "api/v1/incoming/<pk>/process": {"pk": "incoming"},
    "api/v1/incoming/<pk>/process/move": {"pk": "incoming"},
    "api/v1/work/<pk>/start": {"pk": "assignment"},
    "api/v1/work/<pk>/complete": {"pk": "assignment"},
    "ho-so/danh-muc/<int:entry_id>/lap/": {"entry_id": "catalog_entry"},
    "ho-so/danh-muc/<int:entry_id>/sua/": {"entry_id": "catalog_entry"},
    "ho-so/danh-muc/<int:entry_id>/bo/": {"entry_id": "catalog_entry"},
    "ho-so/<int:pk>/": {"pk": "dossier"},
    "ho-so/<int:pk>/van-ban/": {"pk": "dossier"},
    "ho-so/<int:pk>/tai-lieu/": {"pk": "dossier"},
    "ho-so/<int:pk>/so-hoa/": {"pk": "dossier"},
    "ho-so/<int:pk>/goi-eark/": {"pk": "closed_dossier"},
    "ho-so/<int:pk>/so-hoa/<int:batch_id>/": {"pk": "dossier", "batch_id": "digitisation"},
    "ho-so/<int:pk>/bo/": {"pk": "dossier"},
    "ho-so/<int:pk>/thu-tu/": {"pk": "dossier"},
    "ho-so/<int:pk>/dong/": {"pk": "dossier"},
    "ho-so/<int:pk>/dac-ta/": {"pk": "dossier"},
    "ho-so/<int:pk>/tep/<int:file_id>/": {"pk": "dossier", "file_id": "dossier_file"},
    "ho-so/nop-luu/<int:pk>/": {"pk": "transfer"},
    "ho-so/<int:pk>/muc-luc.<str:fmt>": {"pk": "dossier", "fmt": "export_format"},
    "ho-so/nop-luu/<int:pk>/muc-luc.<str:fmt>": {"pk": "transfer", "fmt": "export_format"},
    "ho-so/nop-luu/<int:pk>/bien-ban.pdf": {"pk": "transfer"},
    "ho-so/<int:pk>/phong-toa/": {"pk": "dossier"},
    "ho-so/xet-huy/<int:pk>/": {"pk": "destruction_review"},
    "ho-so/xet-huy/<int:pk>/thuc-hien/": {"pk": "destruction_review"},
    "ho-so/xet-huy/<int:pk>/bien-ban.pdf": {"pk": "destruction_review"},
    "ho-so/<int:pk>/goi/khai-thac/": {"pk": "closed_dossier"},
    "ho-so/<int:pk>/han-nop-luu/": {"pk": "dossier"},
    "ho-so/<int:pk>/goi/<int:package_id>/": {"pk": "closed_dossier", "package_id": "archival_package"},
    "van-ban-di/<int:pk>/": {"pk": "draft"},
    "van-ban-di/<int:pk>/sua/": {"pk": "draft"},
    "van-ban-di/<int:pk>/trinh/": {"pk": "draft"},
    "van-ban-di/<int:pk>/tra-lai/": {"pk": "submitted"},
    "van-ban-di/<int:pk>/ky-duyet/": {"pk": "submitted"},
    "van-ban-di/<int:pk>/ky-tu-xa/": {"pk": "submitted"},
    "van-ban-den/<int:pk>/don-vi/<int:task_id>/phan-cong/": {"pk": "incoming", "task_id": "unit_task"},
    "van-ban-den/<int:pk>/don-vi/<int:task_id>/tra-lai/": {"pk": "incoming", "task_id": "unit_task"},
    "van-ban-den/vao-so-van-ban-giay/nhan-dang/<int:job_id>/": {"job_id": "scan_ocr"},
    "van-ban-di/<int:pk>/ky-token/chuan-bi/": {"pk": "submitted"},
    "van-ban-di/<int:pk>/ky-token/hoan-tat/": {"pk": "submitted"},
    "van-ban-di/<int:pk>/phat-hanh/": {"pk": "approved"},
    "van-ban-di/<int:pk>/thu-hoi/": {"pk": "issued"},
    "van-ban-di/tep/<int:file_id>/": {"file_id": "document_file"},
    "van-ban-den/<int:pk>/": {"pk": "incoming"},
    "van-ban-den/<int:pk>/tiep-nhan/": {"pk": "incoming"},
    "van-ban-den/<int:pk>/tu-choi/": {"pk": "incoming"},
    "van-ban-den/<int:pk>/chuyen-lanh-dao/": {"pk": "incoming"},
    "van-ban-den/<int:pk>/phan-cong/": {"pk": "incoming"},
    "cong-viec/<int:pk>/bat-dau/": {"pk": "assignment"},
    "cong-viec/<int:pk>/ghi-chu/": {"pk": "assignment"},
    "cong-viec/<int:pk>/hoan-thanh/": {"pk": "assignment"},
    "vxp/<str:name>": {"name": "vxp_operation"},
    "hub/goi-tin/<uuid:package_id>/": {"package_id": "package"},
    "hub/diem-ket-noi/<int:endpoint_id>/thu-hoi/": {"endpoint_id": "endpoint"},
    "hub/dang-ky-co-quan/<int:claim_id>/": {"claim_id": "agency_claim"},
    "hub/diem-ket-noi/<int:endpoint_id>/chinh-sach/": {"endpoint_id": "endpoint"},
    "hub/cach-ly/<int:refused_id>/thu-lai/": {"refused_id": "refused"},
    "hub/cach-ly/<int:refused_id>/loai-bo/": {"refused_id": "refused"},
    "trao-doi/cach-ly/<int:entry_id>/thu-lai/": {"entry_id": "quarantined"},
    "trao-doi/cach-ly/<int:entry_id>/loai-bo/": {"entry_id": "quarantined"},
    "hub/api/v1/packages/<package_id>": {"package_id": "package"},
    "hub/api/v1/packages/<package_id>/ack": {"package_id": "package"},
    "hub/api/v1/packages/<package_id>/trace": {"package_id": "package"},
}

# Routes that name A's object in the query string instead of the path: {key in World.ids}.
QUERY: dict[str, str] = {
    "api/v1/reports/periodic": "scope={agency_code}&period=2026",
    "api/v1/reports/periodic/export": "scope={agency_code}&period=2026&format=xlsx",
}

# Routes whose object's existence is public (an agency: the directory lists them all), so 403 for
# a real one and 404 for an unknown one tells nothing.
PUBLIC_EXISTENCE: dict[str, str] = {
    "api/v1/reports/periodic": "the scope is an agency code, listed in the public directory",
    "api/v1/reports/periodic/export": "the scope is an agency code, listed in the public directory",
}

# Public to anyone (signed in or not), with the reason. Still checked: no secret in the answer,
# nothing changed in the database.
PUBLIC: dict[str, str] = {
    "dang-nhap/": "the login page",
    "xac-thuc/": "the box to type a printed verification code; it only redirects to the public check",
    "xac-thuc/<str:code>/": "public check of a printed copy: the code printed on the paper is the credential "
                            "(filled with a code nobody holds: the answer must be the same 'not found')",
    "dang-xuat/": "logging out ends one's own session only",
    "api/v1/openapi.json": "the API description holds no data",
    "api/v1/docs": "the API documentation page",
    "api/v1/": "ninja's API root (404 page of the API)",
    "hub/api/v1/openapi.json": "the hub API description holds no data",
    "hub/api/v1/docs": "the hub API documentation page",
    "hub/api/v1/": "ninja's API root (404 page of the hub API)",
}

# Objects that are public *inside the province* (every signed-in person may look them up).
PUBLIC_OBJECTS: dict[str, str] = {
    "danh-ba/<str:code>/": "the agency directory (names and codes of state agencies are public)",
    "api/v1/agencies/<code>": "the agency directory over the API",
    "api/v1/records/catalogs/<year>": "a year, not an object: each caller sees their own agency's catalog",
    "don-vi/xuat.<str:fmt>": "a file format, not an object: each agency admin exports their own agency's units",
    "vxp/<str:name>": "an operation name of the national SDK (VXP), not an object; callers authenticate with "
                      "signed VXP headers, never a session (A's package ids travel in headers)",
}

_PARAM = re.compile(r"<(?:(?P<conv>\w+):)?(?P<name>\w+)>")
MISSING = {"int": "987654", "uuid": str(uuid.UUID(int=987654)), "str": "999.99.99.Z99", None: "987654"}


@dataclass(frozen=True)
class Route:
    route: str
    name: str | None
    params: tuple[tuple[str | None, str], ...]  # (converter, name)

    @property
    def names_object(self) -> bool:
        return bool(self.params) or self.route in QUERY

    @property
    def is_api(self) -> bool:
        return self.route.startswith(("api/", "hub/api/", "vxp/"))

    @property
    def is_hub_api(self) -> bool:
        """System-to-hub protocols (hub API, VXP): tokens or signed headers, no people, no roles."""
        return self.route.startswith(("hub/api/", "vxp/"))

    def url(self, ids: dict[str, Any], *, missing: bool = False) -> str:
        fill = FILL.get(self.route, {})

        def value(m: re.Match[str]) -> str:
            if missing:
                key = fill.get(m["name"], "")
                return "1999" if key == "year" else MISSING[m["conv"] if m["conv"] in MISSING else None]
            return str(ids[fill[m["name"]]])
        url = "/" + _PARAM.sub(value, self.route)
        if self.route in QUERY:
            url += "?" + QUERY[self.route].format(**(ids if not missing else {**ids, "agency_code": MISSING["str"]}))
        return url


def _walk(patterns: list[Any], prefix: str) -> Iterator[tuple[str, URLPattern]]:
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _walk(p.url_patterns, prefix + str(p.pattern))
        else:
            yield prefix + str(p.pattern), p


def routes() -> list[Route]:
    """Every non-admin route (the admin is checked on its own: staff only, by Django)."""
    found = []
    for route, pattern in _walk(get_resolver().url_patterns, ""):
        if route.startswith("quan-tri/"):
            continue
        params = tuple((m["conv"], m["name"]) for m in _PARAM.finditer(route))
        found.append(Route(route, pattern.name, params))
    return found
