"""Call a router under /api/v1/<prefix> if the lead has mounted it, else on a throwaway API."""

from __future__ import annotations

from typing import Any

from django.test import Client
from ninja import NinjaAPI, Router
from ninja.testing import TestClient


class RouterClient:
    def __init__(self, router: Router, prefix: str) -> None:
        from vanban import apierrors as errors
        from vanban.api.main import api

        self.mounted = any(r is router for _, r in api._routers)
        self.prefix = prefix
        if not self.mounted:
            local = NinjaAPI(urls_namespace=f"test-{prefix}")
            errors.install(local)
            local.add_router(f"/{prefix}", router)
            self.test_client = TestClient(local)

    def get(self, user: Any, path: str, **params: Any) -> Any:
        """(status, json) as `user`; user None means anonymous."""
        if self.mounted:
            client = Client()
            if user is not None:
                client.force_login(user)
            response = client.get(f"/api/v1/{self.prefix}{path}", params)
            return response.status_code, response.json() if "json" in response.get("Content-Type", "") else None
        kwargs: dict[str, Any] = {"query_params": params}
        if user is not None:
            kwargs["user"] = user
            kwargs["COOKIES"] = {"sessionid": "x"}
        response = self.test_client.get(f"/{self.prefix}{path}", **kwargs)
        return response.status_code, response.json() if response.content[:1] in (b"{", b"[") else None
