"""Tables of the VXP facade: systems (an endpoint + systemId + encrypted secret) and the
processing/fail answers a system gave about a delivery (updateStatus).

The secret must stay usable for HMAC verification, so it cannot be stored as a hash: it is
encrypted (Fernet, key derived from SECRET_KEY, `vxp_systems.py`).
"""

from __future__ import annotations

from django.db import models


class VxpSystem(models.Model):
    """A system that speaks the national SDK to this hub; it acts as its `Endpoint`."""

    endpoint = models.OneToOneField("hub.Endpoint", on_delete=models.PROTECT, related_name="vxp_system")
    system_id = models.CharField("mã hệ thống (systemId)", max_length=100, unique=True)
    secret_encrypted = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    rotated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "hệ thống kết nối VXP"
        verbose_name_plural = "hệ thống kết nối VXP"
        ordering = ["system_id"]

    def __str__(self) -> str:
        return self.system_id


class VxpReceiptStatus(models.TextChoices):
    PROCESSING = "processing", "Đang xử lý"
    FAIL = "fail", "Lỗi khi nhận"


class VxpReceipt(models.Model):
    """What a VXP system said about one delivery before (or instead of) `done`.

    `done` is the hub's own acknowledge (the delivery becomes delivered); `fail` keeps the
    delivery waiting for the operator but takes it off the system's list.
    """

    delivery = models.OneToOneField("hub.Delivery", on_delete=models.CASCADE, related_name="vxp_receipt")
    status = models.CharField(max_length=12, choices=VxpReceiptStatus.choices)
    description = models.CharField(max_length=1000, blank=True, default="")
    updated_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.delivery_id}: {self.status}"


class AgencyClaimState(models.TextChoices):
    PENDING = "pending", "Chờ phê duyệt"
    APPROVED = "approved", "Đã phê duyệt"
    REFUSED = "refused", "Đã từ chối"


class AgencyClaim(models.Model):
    """A VXP system asking to serve an agency code (registerAgency) that the hub operator must
    approve: the code is already in the directory, may be reachable through the parent hub,
    or the request carried no signed `hash-body` (the real SDK never sends one)."""

    endpoint = models.ForeignKey("hub.Endpoint", on_delete=models.PROTECT, related_name="agency_claims")
    code = models.CharField("mã cơ quan", max_length=13)
    parent_code = models.CharField("mã cơ quan cấp trên", max_length=13)
    name = models.CharField("tên cơ quan", max_length=500)
    mail = models.CharField(max_length=254, blank=True, default="")
    phone = models.CharField(max_length=50, blank=True, default="")
    reasons = models.JSONField("lý do cần phê duyệt", default=list)
    state = models.CharField(max_length=10, choices=AgencyClaimState.choices, default=AgencyClaimState.PENDING)
    created_at = models.DateTimeField()
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.CharField(max_length=150, blank=True, default="")
    decision_note = models.CharField(max_length=1000, blank=True, default="")

    class Meta:
        verbose_name = "yêu cầu đăng ký cơ quan qua VXP"
        verbose_name_plural = "yêu cầu đăng ký cơ quan qua VXP"
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["endpoint", "code"], condition=models.Q(state="pending"),
                                               name="hub_agency_claim_one_pending")]

    def __str__(self) -> str:
        return f"{self.code} ← {self.endpoint_id} ({self.state})"
