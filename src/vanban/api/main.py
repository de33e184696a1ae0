"""The office API under /api/v1/ (django-ninja, OpenAPI at /api/v1/openapi.json)."""

from __future__ import annotations

from ninja import NinjaAPI

from vanban import __version__
from vanban import apierrors as errors
from vanban.accounts.apiauth import default_auth
from vanban.agencies.api import router as agencies_router
from vanban.incoming.api import router as incoming_router
from vanban.incoming.api import work_router
from vanban.outgoing.api import router as outgoing_router
from vanban.records.api import router as records_router
from vanban.reports.api import router as reports_router
from vanban.search.api import router as search_router
from vanban.workflow.api import router as process_router

api = NinjaAPI(
    title="vanban API",
    version=__version__,
    description="API của hệ thống quản lý văn bản vanban. Lỗi luôn có dạng "
                '{"error": {"code": "...", "message": "..."}}.',
    auth=default_auth(),
    urls_namespace="api-v1",
    docs_url="/docs",
    openapi_url="/openapi.json",
)
errors.install(api)
api.add_router("/agencies", agencies_router, tags=["agencies"])
api.add_router("/documents", outgoing_router, tags=["documents"])
api.add_router("/records", records_router, tags=["records"])
api.add_router("/incoming", incoming_router, tags=["incoming"])
api.add_router("/incoming", process_router, tags=["incoming"])
api.add_router("/work", work_router, tags=["work"])
api.add_router("/search", search_router, tags=["search"])
api.add_router("/reports", reports_router, tags=["reports"])
