"""Trust anchors (CA certificates) and the signing credentials the server holds."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from vanban.agencies.models import Agency
from vanban.trust.sealing import SealedTextField


class TrustAnchor(models.Model):
    """A CA certificate whose signatures count as trusted (otherwise: indeterminate).

    Province-wide anchors (scope ``province``) are the hub operators': one asks, a second
    approves, and only then do they count for every agency. An agency's own anchors count
    only for that agency's checks. Rows are never deleted: removal is a status, audited.
    """

    class Scope(models.TextChoices):
        PROVINCE = "province", "Toàn tỉnh (do quản trị trục quyết định)"
        AGENCY = "agency", "Riêng cơ quan"

    class Status(models.TextChoices):
        PENDING = "pending", "Chờ phê duyệt"
        ACTIVE = "active", "Đang tin cậy"
        REJECTED = "rejected", "Bị từ chối"
        REMOVED = "removed", "Đã gỡ"

    pem = models.TextField("chứng thư (PEM)")
    fingerprint = models.CharField("dấu vân tay SHA-256", max_length=64, db_index=True)
    scope = models.CharField("phạm vi", max_length=10, choices=Scope.choices, default=Scope.PROVINCE)
    status = models.CharField("trạng thái", max_length=10, choices=Status.choices, default=Status.ACTIVE)
    agency = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.PROTECT,
                               related_name="trust_anchors", verbose_name="cơ quan sở hữu")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+",
                                   verbose_name="người phê duyệt / gỡ")
    decided_at = models.DateTimeField(null=True, blank=True)
    subject = models.CharField("chủ thể", max_length=500)
    not_before = models.DateTimeField("hiệu lực từ")
    not_after = models.DateTimeField("hiệu lực đến")
    is_ca = models.BooleanField("là CA", default=True)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    added_for = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+", verbose_name="thêm bởi cơ quan")
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "chứng thư CA tin cậy"
        verbose_name_plural = "kho tin cậy"
        ordering = ["subject"]
        constraints = [
            models.UniqueConstraint(fields=["fingerprint"], name="trust_one_live_province_anchor",
                                    condition=models.Q(scope="province", status__in=["pending", "active"])),
            models.UniqueConstraint(fields=["fingerprint", "agency"], name="trust_one_live_agency_anchor",
                                    condition=models.Q(scope="agency", status__in=["pending", "active"])),
        ]

    def __str__(self) -> str:
        return self.subject


class Credential(models.Model):
    """A signing certificate: an agency's seal, its system key, or a person's key.

    `holder=server`: the key is kept as PKCS#12 in the blob store (seals and system keys;
    personal keys only in demo mode, `VANBAN_SERVER_PERSONAL_KEYS`). `holder=device`: only the
    certificate is here; the key stays on the official's USB token and signs through the
    local signing agent. `holder=remote`: the key is at a CSC remote-signing provider under
    `remote_id` (docs/signatures.md).
    """

    class Holder(models.TextChoices):
        SERVER = "server", "Khóa trên máy chủ (PKCS#12)"
        DEVICE = "device", "Khóa trên thiết bị của người ký (token USB)"
        REMOTE = "remote", "Khóa tại dịch vụ ký số từ xa (CSC)"

    class Kind(models.TextChoices):
        SEAL = "seal", "Chữ ký số cơ quan (con dấu)"
        SYSTEM = "system", "Chữ ký hệ thống (ký gói tin edXML)"
        PERSON = "person", "Chữ ký số cá nhân"

    kind = models.CharField("loại", max_length=10, choices=Kind.choices)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="credentials")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                             on_delete=models.PROTECT, related_name="credentials")
    label = models.CharField("tên", max_length=300)
    holder = models.CharField("nơi giữ khóa", max_length=10, choices=Holder.choices, default=Holder.SERVER)
    remote_id = models.CharField("mã khóa tại dịch vụ ký từ xa", max_length=200, blank=True)  # CSC credentialID
    certificate_pem = models.TextField()
    fingerprint = models.CharField(max_length=64, unique=True)
    p12_sha256 = models.CharField(max_length=64, blank=True)  # empty for holder=device
    # A random password the PKCS#12 blob was re-wrapped with, sealed with the KEK: the blob
    # store and the database together do not open the key without the KEK.
    p12_password = SealedTextField(blank=True)
    not_after = models.DateTimeField()
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "khóa ký số"
        verbose_name_plural = "khóa ký số"
        ordering = ["agency__code", "kind"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.label}"


class RevocationEvidence(models.Model):
    """A CRL or OCSP answer fetched while checking a certificate: kept as evidence of what
    the office knew, and reused as a cache until its nextUpdate."""

    class Kind(models.TextChoices):
        CRL = "crl", "CRL"
        OCSP = "ocsp", "OCSP"

    kind = models.CharField(max_length=4, choices=Kind.choices)
    sha256 = models.CharField(max_length=64, unique=True)
    der = models.BinaryField()
    serials = models.TextField(blank=True)  # OCSP: the serials answered for (hex, comma-separated)
    next_update = models.DateTimeField(null=True, blank=True)
    fetched_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = "bằng chứng kiểm tra thu hồi"
        verbose_name_plural = "bằng chứng kiểm tra thu hồi"

    def __str__(self) -> str:
        return f"{self.kind} {self.sha256[:16]}"
