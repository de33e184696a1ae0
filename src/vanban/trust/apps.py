from types import ModuleType

from django.apps import AppConfig


class TrustConfig(AppConfig):
    name = "vanban.trust"
    label = "trust"
    verbose_name = "Chứng thư số và kho tin cậy"

    def ready(self) -> None:
        from vanban.audit.anchor import AnchorKeys, provide_keys
        from vanban.trust.models import Credential
        from vanban.trust.sealing import SealedColumn, register_sealed_column

        register_sealed_column(SealedColumn("Mật khẩu khóa ký số", Credential, "p12_password"))
        # Audit checkpoints are signed with the system key. The services (and pyHanko under
        # them, ~0.5 s) are imported when a checkpoint first needs a key, not at every start-up.
        provide_keys(AnchorKeys(signing_key=lambda: _services().audit_anchor_keys().signing_key(),
                                timestamp_roots=lambda: _services().audit_anchor_keys().timestamp_roots()))


def _services() -> ModuleType:
    from vanban.trust import services

    return services
