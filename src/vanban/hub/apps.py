from django.apps import AppConfig

from vanban.trust.sealing import SealedColumn, register_sealed_column


class HubConfig(AppConfig):
    name = "vanban.hub"
    label = "hub"
    verbose_name = "Trục liên thông văn bản"

    def ready(self) -> None:
        from vanban.hub.vxp_models import VxpSystem

        register_sealed_column(SealedColumn("Secret hệ thống VXP", VxpSystem, "secret_encrypted",
                                            reveal=_reveal_vxp_secret))


def _reveal_vxp_secret(value: str) -> str | None:
    """Imported on use: `vxp_systems` pulls in the hub's services and pyHanko, which a command
    that never touches a VXP secret (most of them) should not pay for at start-up."""
    from vanban.hub import vxp_systems

    return vxp_systems.decrypt(value)
