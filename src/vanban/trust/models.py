"""Trust anchors (CA certificates) and the signing credentials the server holds."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from vanban.agencies.models import Agency


class TrustAnchor(models.Model):
    """A CA certificate whose signatures count as trusted (otherwise: indeterminate)."""

    pem = models.TextField("chứng thư (PEM)")
    fingerprint = models.CharField("dấu vân tay SHA-256", max_length=64, unique=True)
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

    def __str__(self) -> str:
        return self.subject


class Credential(models.Model):
    """A key the server signs with: an agency's seal, its system key, or a person's key.

    Kept as PKCS#12 in the blob store. This suits software keys (and the demo); a USB
    token or a remote signing service is a different `vanban.pki.Signer` (docs/signatures.md).
    """

    class Kind(models.TextChoices):
        SEAL = "seal", "Chữ ký số cơ quan (con dấu)"
        SYSTEM = "system", "Chữ ký hệ thống (ký gói tin edXML)"
        PERSON = "person", "Chữ ký số cá nhân"

    kind = models.CharField("loại", max_length=10, choices=Kind.choices)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="credentials")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                             on_delete=models.PROTECT, related_name="credentials")
    label = models.CharField("tên", max_length=300)
    certificate_pem = models.TextField()
    fingerprint = models.CharField(max_length=64, unique=True)
    p12_sha256 = models.CharField(max_length=64)
    p12_password = models.CharField(max_length=200, blank=True)
    not_after = models.DateTimeField()
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "khóa ký số"
        verbose_name_plural = "khóa ký số"
        ordering = ["agency__code", "kind"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.label}"
