"""VXP systems: a hub endpoint plus a systemId and a secret the hub can read back.

HMAC verification needs the secret itself, so unlike bearer tokens it cannot be kept as a
hash. It is sealed with the installation's key-encryption key (`vanban.core.sealing`, kept
outside the database and the data directory; docs/security.md). Secrets written before
that were encrypted under a key derived from SECRET_KEY (which lives in the data directory);
they are still read, and `vanban keys rotate` re-seals them under the KEK.
"""

from __future__ import annotations

import base64
import re
import secrets
from collections.abc import Iterable
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from vanban.audit.services import record_event
from vanban.core.sealing import SealError, is_sealed, process_sealer
from vanban.hub import services
from vanban.hub.errors import HubError
from vanban.hub.models import Endpoint, EndpointKind
from vanban.hub.vxp_models import VxpSystem

SYSTEM_CREATED = "hub.vxp_system_created"
SECRET_ROTATED = "hub.vxp_secret_rotated"
_SALT = b"vanban.hub.vxp"
_INFO = b"VXP system secret (Fernet key)"
_SYSTEM_ID = re.compile(r"^[A-Za-z0-9._-]{1,100}$")


def _fernet() -> Fernet:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=_SALT, info=_INFO).derive(
        str(settings.SECRET_KEY).encode("utf-8"))
    return Fernet(base64.urlsafe_b64encode(key))


def encrypt(secret: str) -> str:
    return process_sealer(settings.DATA_DIR).seal(secret)


def decrypt(token: str) -> str | None:
    """The secret, or None when it was sealed under another key (or altered)."""
    if is_sealed(token):
        try:
            return process_sealer(settings.DATA_DIR).unseal(token)
        except SealError:
            return None
    try:  # legacy: under a key derived from SECRET_KEY
        return _fernet().decrypt(token.encode("ascii")).decode("utf-8")
    except (InvalidToken, ValueError):
        return None


def new_secret() -> str:
    """32 random bytes, URL-safe. Never starting with '-': the operator pastes it after
    `--secret` on a command line, where argparse would take "-Kz…" for an option (one secret in
    64 did; a CI run met one on 07/12/2026). Leaving those out costs under 0.03 bits."""
    while (secret := secrets.token_urlsafe(32)).startswith("-"):
        pass
    return secret


def create_system(*, name: str, codes: Iterable[str], system_id: str = "", kind: str = EndpointKind.AGENCY,
                  actor: Any = None) -> tuple[VxpSystem, str]:
    """An endpoint serving `codes` and its VXP identity; returns the secret, shown once.

    `kind="hub"`: a lower hub that reaches us over VXP (upward federation): its packages are
    routed with split horizon and accepted on its word when we hold no certificate of the sender,
    exactly as for a lower hub on /hub/api/v1."""
    system_id = (system_id or name).strip()
    if not _SYSTEM_ID.match(system_id):
        raise HubError(400, "BAD_SYSTEM_ID", "Mã hệ thống chỉ gồm chữ, số, '.', '_', '-' (tối đa 100 ký tự).")
    secret = new_secret()
    with transaction.atomic():
        if VxpSystem.objects.filter(system_id=system_id).exists():
            raise HubError(400, "SYSTEM_ID_TAKEN", f"Đã có hệ thống VXP mã '{system_id}'.")
        endpoint, _unused_token = services.create_endpoint(name=name, codes=codes, kind=kind, actor=actor)
        system = VxpSystem.objects.create(endpoint=endpoint, system_id=system_id, secret_encrypted=encrypt(secret))
        codes_served = list(endpoint.agencies.order_by("code").values_list("code", flat=True))
        record_event(SYSTEM_CREATED, actor=actor, agency_code=codes_served[0] if codes_served else "", obj=system,
                     details={"system_id": system_id, "endpoint": endpoint.name, "agencies": codes_served})
    return system, secret


def rotate_secret(*, system_id: str, actor: Any = None) -> str:
    """A new secret for the system; the old one stops working at once."""
    secret = new_secret()
    with transaction.atomic():
        system = VxpSystem.objects.select_for_update().filter(system_id=system_id).first()
        if system is None:
            raise HubError(404, "SYSTEM_NOT_FOUND", f"Không có hệ thống VXP mã '{system_id}'.")
        system.secret_encrypted = encrypt(secret)
        system.rotated_at = timezone.now()
        system.save(update_fields=["secret_encrypted", "rotated_at"])
        record_event(SECRET_ROTATED, actor=actor, obj=system, details={"system_id": system_id})
    return secret


def active_system(system_id: str) -> VxpSystem | None:
    if not system_id or len(system_id) > 100:
        return None
    return (VxpSystem.objects.select_related("endpoint")
            .filter(system_id=system_id, endpoint__revoked_at__isnull=True).first())


def secret_for(system_id: str) -> str | None:
    """The secret of an active system (None: unknown, revoked, or unreadable under this key)."""
    system = active_system(system_id)
    return decrypt(system.secret_encrypted) if system is not None else None


def endpoint_for(system_id: str) -> Endpoint:
    system = active_system(system_id)
    if system is None:  # revoked between verification and now
        raise HubError(401, "AUTH_INVALID_SIGNATURE", "Hệ thống VXP không còn hoạt động.")
    return system.endpoint
