"""The hub's durable state: endpoints, certificates, packages, deliveries, forwards, trace.

Everything a package needs to reach its recipients is written in one transaction with the
package row; the job queue only wakes workers.
"""

from __future__ import annotations

import uuid

from django.db import models

from vanban.agencies.models import Agency


class EndpointKind(models.TextChoices):
    AGENCY = "agency", "Hệ thống của cơ quan"
    HUB = "hub", "Trục cấp dưới"


class SignaturePolicy(models.TextChoices):
    """How the hub treats envelope signatures it cannot check (docs/hub.md, "Acceptance policy")."""

    INHERIT = "", "Theo cấu hình của trục"
    STRICT = "strict", "Nghiêm ngặt: chỉ nhận gói tin ký bằng chứng thư đã đăng ký"
    LENIENT = "lenient", ("Thực tế: nhận gói tin không ký hoặc không kiểm tra được chữ ký "
                          "từ điểm kết nối đã xác thực, ghi rõ trong vết")


class Endpoint(models.Model):
    """A system that talks to this hub with one token and serves a set of agency codes."""

    name = models.CharField("tên điểm kết nối", max_length=100, unique=True)
    kind = models.CharField("loại", max_length=10, choices=EndpointKind.choices,
                            default=EndpointKind.AGENCY)
    token_hash = models.CharField(max_length=64, unique=True)
    token_prefix = models.CharField(max_length=12)
    agencies: models.ManyToManyField[Agency, EndpointAgency] = models.ManyToManyField(
        Agency, through="EndpointAgency", related_name="hub_endpoints")
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    signature_policy = models.CharField("chính sách chữ ký", max_length=10, choices=SignaturePolicy.choices,
                                        default=SignaturePolicy.INHERIT, blank=True)

    class Meta:
        verbose_name = "điểm kết nối"
        verbose_name_plural = "điểm kết nối"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class EndpointAgency(models.Model):
    endpoint = models.ForeignKey(Endpoint, on_delete=models.CASCADE, related_name="served")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["endpoint", "agency"], name="hub_endpoint_agency_unique")]

    def __str__(self) -> str:
        return f"{self.endpoint_id} → {self.agency_id}"


class AgencyCertificate(models.Model):
    """A certificate the agency's system signs envelopes with; packages verify against these."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="hub_certificates")
    fingerprint = models.CharField("dấu vân tay SHA-256", max_length=64)
    subject = models.CharField("chủ thể", max_length=500)
    not_before = models.DateTimeField()
    not_after = models.DateTimeField()
    pem = models.TextField()
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "chứng thư số của cơ quan"
        verbose_name_plural = "chứng thư số của cơ quan"
        ordering = ["agency__code", "-added_at"]
        constraints = [models.UniqueConstraint(fields=["agency", "fingerprint"], name="hub_cert_unique")]

    def __str__(self) -> str:
        return f"{self.subject} ({self.fingerprint[:16]}…)"


class PackageKind(models.TextChoices):
    DOCUMENT = "document", "Văn bản"
    STATUS = "status", "Trạng thái"


class Package(models.Model):
    """One accepted edXML package; its original bytes are the blob `sha256`.

    The unique constraint is the idempotency key: the same sender, DocumentId, kind,
    business type (new/revoke/update/replace) and status code + status time is one package.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(max_length=10, choices=PackageKind.choices)
    # sender_code leads the idempotency constraint's index, which serves its look-ups: no index
    # of its own (one, and a second `_like` one on PostgreSQL, written by every submit for nothing)
    sender_code = models.CharField(max_length=13)
    document_id = models.CharField(max_length=500, db_index=True)
    business_type = models.PositiveSmallIntegerField(default=0)
    status_code = models.CharField(max_length=2, blank=True, default="")
    status_stamp = models.CharField(max_length=19, blank=True, default="")
    recipients = models.JSONField(default=list)
    subject = models.CharField(max_length=500, blank=True, default="")
    sha256 = models.CharField(max_length=64)
    size = models.BigIntegerField()
    received_at = models.DateTimeField(db_index=True)
    source_endpoint = models.ForeignKey(Endpoint, null=True, blank=True, on_delete=models.PROTECT,
                                        related_name="submitted")
    from_parent = models.BooleanField(default=False)
    parent_package_id = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        verbose_name = "gói tin"
        verbose_name_plural = "gói tin"
        constraints = [
            models.UniqueConstraint(
                fields=["sender_code", "document_id", "kind", "business_type", "status_code",
                        "status_stamp"],
                name="hub_package_idempotency"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.document_id} ({self.sender_code})"


class PackageBody(models.Model):
    """A small package's original bytes, kept in the database with its row instead of the blob
    store (`VANBAN_HUB_BODY_IN_DATABASE_KB`): written in the package's own statement, so one
    commit makes both durable — no file, no fsync (issue 23). Larger packages, and every
    package accepted before this existed, are blobs named by `Package.sha256`; a body is
    re-hashed against that name on every read, as a blob is."""

    package = models.OneToOneField(Package, primary_key=True, on_delete=models.CASCADE, related_name="body")
    data = models.BinaryField()

    class Meta:
        verbose_name = "nội dung gói tin"
        verbose_name_plural = "nội dung gói tin"

    def __str__(self) -> str:
        return f"nội dung gói tin {self.package_id}"


class DeliveryState(models.TextChoices):
    WAITING = "waiting", "Chờ nhận"
    DELIVERED = "delivered", "Đã nhận"


class Delivery(models.Model):
    """A recipient served by one of this hub's endpoints: its inbox entry until acknowledged."""

    # Both keys lead a composite index below (the unique key, the inbox), which serves their
    # joins and look-ups; Django's own index on each would only cost every submit and ack a write.
    package = models.ForeignKey(Package, on_delete=models.PROTECT, related_name="deliveries", db_index=False)
    endpoint = models.ForeignKey(Endpoint, on_delete=models.PROTECT, related_name="deliveries", db_index=False)
    agency_code = models.CharField(max_length=13)
    state = models.CharField(max_length=10, choices=DeliveryState.choices, default=DeliveryState.WAITING)
    created_at = models.DateTimeField()
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["package", "agency_code"], name="hub_delivery_unique")]
        indexes = [models.Index(fields=["endpoint", "state", "id"], name="hub_inbox_idx")]

    def __str__(self) -> str:
        return f"{self.package_id} → {self.agency_code} ({self.state})"


class ForwardState(models.TextChoices):
    PENDING = "pending", "Chờ chuyển lên trục cấp trên"
    FORWARDED = "forwarded", "Đã chuyển lên trục cấp trên"


class Forward(models.Model):
    """Recipients not served here go to the parent hub; this row is the durable delivery state."""

    package = models.OneToOneField(Package, on_delete=models.PROTECT, related_name="forward")
    recipient_codes = models.JSONField(default=list)
    state = models.CharField(max_length=10, choices=ForwardState.choices, default=ForwardState.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(db_index=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    lease_holder = models.CharField(max_length=200, blank=True, default="")  # jobs.holders: who claimed it last
    last_error = models.CharField(max_length=1000, blank=True, default="")
    remote_id = models.CharField(max_length=64, blank=True, default="")
    created_at = models.DateTimeField()
    forwarded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="hub_forward_due_idx")]

    def __str__(self) -> str:
        return f"{self.package_id} ↑ ({self.state}, {self.attempts})"


class TraceEvent(models.Model):
    """One hop or delivery step; `remote` rows were copied from another hub's trace."""

    package = models.ForeignKey(Package, on_delete=models.PROTECT, related_name="trace",
                                db_index=False)  # hub_trace_idx (package, at) leads with it
    at = models.DateTimeField()
    hub = models.CharField(max_length=100)
    event = models.CharField(max_length=40)
    agency_code = models.CharField(max_length=13, blank=True, default="")
    endpoint = models.CharField(max_length=100, blank=True, default="")
    detail = models.CharField(max_length=1000, blank=True, default="")
    remote = models.BooleanField(default=False)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["package", "at"], name="hub_trace_idx")]

    def __str__(self) -> str:
        return f"{self.at} {self.hub} {self.event}"


class RefusalState(models.TextChoices):
    HELD = "held", "Đang cách ly"
    ACCEPTED = "accepted", "Đã nhận khi xử lý lại"
    DISCARDED = "discarded", "Đã loại bỏ"


class RefusedPackage(models.Model):
    """A submission the hub refused, kept for the operator (quarantine): the error, who sent
    it, and its original bytes when they were read. The same bytes refused again for the same
    reason from the same endpoint count as one row (`times`)."""

    received_at = models.DateTimeField(db_index=True)
    last_at = models.DateTimeField()
    times = models.PositiveIntegerField(default=1)
    endpoint = models.ForeignKey(Endpoint, null=True, blank=True, on_delete=models.PROTECT, related_name="refused")
    endpoint_name = models.CharField(max_length=100, blank=True, default="")
    sender_code = models.CharField(max_length=13, blank=True, default="")
    document_id = models.CharField(max_length=500, blank=True, default="")
    kind = models.CharField(max_length=10, blank=True, default="")
    http_status = models.PositiveSmallIntegerField(default=422)
    error_code = models.CharField(max_length=60)
    error_message = models.CharField(max_length=2000)
    sha256 = models.CharField(max_length=64, blank=True, default="")
    size = models.BigIntegerField(default=0)
    state = models.CharField(max_length=10, choices=RefusalState.choices, default=RefusalState.HELD,
                             db_index=True)
    package = models.ForeignKey(Package, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    # Pulled from the parent hub and refused here: the parent's id of the package (no endpoint).
    parent_package_id = models.CharField(max_length=64, blank=True, default="")
    settled_at = models.DateTimeField(null=True, blank=True)
    settled_by = models.CharField(max_length=150, blank=True, default="")

    class Meta:
        verbose_name = "gói tin bị từ chối"
        ordering = ["-last_at", "-id"]
        indexes = [models.Index(fields=["endpoint", "sha256", "error_code", "state"], name="hub_refused_idx")]

    def __str__(self) -> str:
        return f"{self.error_code} {self.document_id or self.sha256[:12]} ({self.state})"


class PullProblem(models.Model):
    """A package waiting at the parent that this hub could not take in yet (shown as delayed)."""

    parent_package_id = models.CharField(max_length=64, unique=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=1000)
    first_seen_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.parent_package_id}: {self.last_error[:60]}"
from vanban.hub.vxp_models import AgencyClaim, VxpReceipt, VxpReceiptStatus, VxpSystem  # noqa: E402, F401 - VXP facade tables
from vanban.hub.witness_models import WitnessedCheckpoint  # noqa: E402, F401 - audit witness (hub/witness.py)
