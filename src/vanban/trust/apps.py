from django.apps import AppConfig


class TrustConfig(AppConfig):
    name = "vanban.trust"
    label = "trust"
    verbose_name = "Chứng thư số và kho tin cậy"

    def ready(self) -> None:
        from vanban.trust.models import Credential
        from vanban.trust.sealing import SealedColumn, register_sealed_column

        register_sealed_column(SealedColumn("Mật khẩu khóa ký số", Credential, "p12_password"))
