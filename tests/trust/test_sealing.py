"""Keys sealed: no PKCS#12 password, hub token or VXP secret in plaintext in the database or
the data directory; the KEK lives elsewhere and rotates."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.serialization import pkcs12
from django.apps import apps
from django.core.management import call_command
from django.db import connection

from vanban.blobs import get_store
from vanban.core import sealing
from vanban.core.sealing import Sealer, SealError, generate_key, is_sealed, load_sealer
from vanban.exchange.models import HubConnection
from vanban.pki.testpki import TestPki
from vanban.trust import services
from vanban.trust.models import Credential

KEY_A, KEY_B = generate_key(), generate_key()


@pytest.fixture(scope="module")
def pki() -> TestPki:
    return TestPki(prefix="SEAL")


@pytest.fixture
def kek(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    monkeypatch.setenv("VANBAN_KEK", KEY_A)
    return monkeypatch


def _raw(table: str, column: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table}")
        return [row[0] for row in cursor.fetchall()]


# -- the pure helper ---------------------------------------------------------------------

def test_seal_round_trip_and_wrong_key() -> None:
    sealer = Sealer([KEY_A.encode()])
    sealed = sealer.seal("mật khẩu bí mật")
    assert is_sealed(sealed) and "mật khẩu" not in sealed
    assert sealer.unseal(sealed) == "mật khẩu bí mật"
    assert sealer.seal("x") != sealer.seal("x")  # random IV: equal secrets do not look equal
    with pytest.raises(SealError) as info:
        Sealer([KEY_B.encode()]).unseal(sealed)
    assert info.value.code == "SEAL_WRONG_KEK"
    with pytest.raises(SealError):
        sealer.unseal(sealed[:-4] + "AAAA")  # altered
    with pytest.raises(SealError):
        sealer.unseal("plain")


def test_rotation_keeps_old_values_readable_until_resealed() -> None:
    old = Sealer([KEY_A.encode()]).seal("token")
    both = Sealer([KEY_B.encode(), KEY_A.encode()])
    assert both.unseal(old) == "token"
    fresh = both.reseal(old)
    assert Sealer([KEY_B.encode()]).unseal(fresh) == "token"
    with pytest.raises(SealError):
        Sealer([KEY_A.encode()]).unseal(fresh)


def test_kek_sources(tmp_path: Path) -> None:
    with pytest.raises(SealError) as info:
        sealing.parse_keys("not-a-key")
    assert info.value.code == "KEK_BAD_KEY"
    assert load_sealer({"VANBAN_KEK": f"{KEY_A}, {KEY_B}"}).key_count == 2
    key_file = tmp_path / "etc" / "kek"
    key_file.parent.mkdir()
    key_file.write_text(f"# new first\n{KEY_B}\n{KEY_A}\n")
    assert load_sealer({"VANBAN_KEK_FILE": str(key_file)}).key_count == 2
    with pytest.raises(SealError) as info:
        load_sealer({"VANBAN_KEK_FILE": str(tmp_path / "missing")})
    assert info.value.code == "KEK_MISSING"
    data_dir = tmp_path / "var"
    (data_dir / "keys").mkdir(parents=True)
    (data_dir / "keys" / "kek").write_text(KEY_A)
    with pytest.raises(SealError) as info:
        load_sealer({"VANBAN_KEK_FILE": str(data_dir / "keys" / "kek")}, data_dir=data_dir)
    assert info.value.code == "KEK_IN_DATA_DIR"
    # the demo default: generated once, private, outside the data dir, stable
    env = {"XDG_CONFIG_HOME": str(tmp_path / "config")}
    first = load_sealer(env, data_dir=data_dir)
    path = tmp_path / "config" / "vanban" / "kek"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert load_sealer(env).unseal(first.seal("x")) == "x"


# -- secrets in the database -------------------------------------------------------------

@pytest.mark.django_db
def test_credential_password_is_sealed_and_the_blob_is_rewrapped(kek, office, pki: TestPki) -> None:
    seal = pki.issue_seal("Văn phòng UBND tỉnh", office.code)
    cred = services.register_credential(actor="test", agency=office, kind="seal",
                                        p12=seal.pkcs12(b"vanban-demo"), password="vanban-demo")
    [raw] = _raw("trust_credential", "p12_password")
    assert is_sealed(raw) and "vanban-demo" not in raw
    blob = get_store().get(cred.p12_sha256)
    with pytest.raises(ValueError):  # the uploaded (well-known) password opens nothing stored
        pkcs12.load_key_and_certificates(blob, b"vanban-demo")
    fresh = Credential.objects.get().p12_password
    assert fresh != "vanban-demo" and len(fresh) >= 40
    assert services.signer_for(Credential.objects.get()).certificate.serial_number == seal.cert.serial_number
    kek.setenv("VANBAN_KEK", KEY_B)  # the database and blobs without the KEK: no key
    with pytest.raises(SealError):
        Credential.objects.get()


@pytest.mark.django_db
def test_hub_token_is_sealed_in_the_row(kek) -> None:
    HubConnection.objects.create(url="http://127.0.0.1:1/hub/api/v1", token="vbh_secret-token")
    [raw] = _raw("exchange_hubconnection", "token")
    assert is_sealed(raw) and "secret-token" not in raw
    assert HubConnection.objects.get().token == "vbh_secret-token"


@pytest.mark.django_db
def test_migration_seals_existing_plaintext(kek, office, pki: TestPki) -> None:
    """The data migrations, run on rows written before sealing existed."""
    from importlib import import_module

    seal = pki.issue_seal("Văn phòng UBND tỉnh", office.code)
    legacy = get_store().put(seal.pkcs12(b"old-password"))
    Credential.objects.create(kind="seal", agency=office, label="cũ", certificate_pem="x", fingerprint="f" * 64,
                              p12_sha256=legacy, p12_password="", not_after=seal.cert.not_valid_after_utc)
    HubConnection.objects.create(url="http://127.0.0.1:1/", token="")
    with connection.cursor() as cursor:  # as an old release left them: plaintext
        cursor.execute("UPDATE trust_credential SET p12_password = 'old-password'")
        cursor.execute("UPDATE exchange_hubconnection SET token = 'vbh_plain'")
    assert Credential.objects.get().p12_password == "old-password"  # legacy plaintext still reads
    import_module("vanban.trust.migrations.0002_scoped_anchors_sealed_keys").scope_and_seal(apps, None)
    import_module("vanban.exchange.migrations.0004_seal_hub_token").seal_tokens(apps, None)
    assert all(is_sealed(v) for v in _raw("trust_credential", "p12_password"))
    assert _raw("exchange_hubconnection", "token")[0].startswith("vbs1:")
    cred = Credential.objects.get()
    assert cred.p12_sha256 != legacy and cred.p12_password != "old-password"
    assert services.signer_for(cred).certificate.serial_number == seal.cert.serial_number
    assert HubConnection.objects.get().token == "vbh_plain"


@pytest.mark.django_db
def test_migration_reseals_legacy_vxp_secrets(kek, office) -> None:
    from importlib import import_module

    from vanban.hub import vxp_systems
    from vanban.hub.vxp_models import VxpSystem

    system, _ = vxp_systems.create_system(name="vxp-cu", codes=[office.code])
    legacy = vxp_systems._fernet().encrypt(b"legacy-secret").decode()  # under SECRET_KEY, before the KEK
    VxpSystem.objects.filter(pk=system.pk).update(secret_encrypted=legacy)
    import_module("vanban.hub.migrations.0007_reseal_vxp_secrets").reseal(apps, None)
    raw = VxpSystem.objects.get(pk=system.pk).secret_encrypted
    assert is_sealed(raw) and raw != legacy
    assert vxp_systems.secret_for(system.system_id) == "legacy-secret"


@pytest.mark.django_db
def test_keys_rotate_reseals_everything(kek, office, pki: TestPki, capsys) -> None:
    from vanban.hub import vxp_systems
    from vanban.hub.vxp_models import VxpSystem

    seal = pki.issue_seal("Văn phòng UBND tỉnh", office.code)
    services.register_credential(actor="test", agency=office, kind="seal", p12=seal.pkcs12(b"pw"), password="pw")
    HubConnection.objects.create(url="http://127.0.0.1:1/", token="vbh_tok")
    system, secret = vxp_systems.create_system(name="vxp-a", codes=[office.code])
    legacy = vxp_systems._fernet().encrypt(b"legacy-secret").decode()  # before the KEK existed
    VxpSystem.objects.filter(pk=system.pk).update(secret_encrypted=legacy)
    assert vxp_systems.secret_for(system.system_id) == "legacy-secret"
    kek.setenv("VANBAN_KEK", f"{KEY_B},{KEY_A}")  # new key first, old still readable
    call_command("keys", "rotate")
    assert "Đã niêm phong lại 3 bí mật" in capsys.readouterr().out
    kek.setenv("VANBAN_KEK", KEY_B)  # the old key is gone: everything still opens
    assert HubConnection.objects.get().token == "vbh_tok"
    assert vxp_systems.secret_for(system.system_id) == "legacy-secret"
    assert services.signer_for(Credential.objects.get()).certificate.serial_number == seal.cert.serial_number
    call_command("keys", "status")
    out = capsys.readouterr().out
    assert "1/1 đã niêm phong" in out and "VANBAN_KEK (1 khóa" in out
    kek.setenv("VANBAN_KEK", KEY_A)  # only the retired key: rotate refuses, changes nothing
    before = _raw("exchange_hubconnection", "token")
    with pytest.raises(SystemExit):
        call_command("keys", "rotate")
    assert _raw("exchange_hubconnection", "token") == before
    assert secret  # shown once at creation
