from django.apps import AppConfig


class HubConfig(AppConfig):
    name = "vanban.hub"
    label = "hub"
    verbose_name = "Trục liên thông văn bản"

    def ready(self) -> None:
        from vanban.hub import vxp_systems
        from vanban.hub.vxp_models import VxpSystem
        from vanban.trust.sealing import SealedColumn, register_sealed_column

        register_sealed_column(SealedColumn("Secret hệ thống VXP", VxpSystem, "secret_encrypted",
                                            reveal=vxp_systems.decrypt))
