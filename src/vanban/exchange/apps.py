from __future__ import annotations

from typing import TYPE_CHECKING

from django.apps import AppConfig

if TYPE_CHECKING:
    from vanban.hubclient import HubClient


class ExchangeConfig(AppConfig):
    name = "vanban.exchange"
    label = "exchange"
    verbose_name = "Liên thông văn bản (phía cơ quan)"

    def ready(self) -> None:
        from vanban.exchange.models import HubConnection
        from vanban.trust.sealing import SealedColumn, register_sealed_column

        register_sealed_column(SealedColumn("Token kết nối trục", HubConnection, "token"))

        from vanban.audit.witness import provide_hub_client

        provide_hub_client(_witness_client)  # the services (and httpx) load when a checkpoint is witnessed

        from vanban.jobs.workitems import released

        released.connect(_wake_after_release, dispatch_uid="exchange-wake-after-release")


def _witness_client(url: str | None = None) -> HubClient | None:
    from vanban.exchange.services import witness_client

    return witness_client(url)


def _wake_after_release(sender: object, *, freed: dict[str, int], **_: object) -> None:
    from vanban.exchange.tasks import wake_after_release

    wake_after_release(freed)
