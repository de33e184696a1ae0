from django.apps import AppConfig


class TrustConfig(AppConfig):
    name = "vanban.trust"
    label = "trust"
    verbose_name = "Chứng thư số và kho tin cậy"

    def ready(self) -> None:
        from vanban.audit.anchor import provide_keys
        from vanban.trust.models import Credential
        from vanban.trust.sealing import SealedColumn, register_sealed_column
        from vanban.trust.services import audit_anchor_keys

        register_sealed_column(SealedColumn("Mật khẩu khóa ký số", Credential, "p12_password"))
        provide_keys(audit_anchor_keys())  # audit checkpoints signed with the system key
