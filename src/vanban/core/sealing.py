"""Sealing secrets at rest under a key-encryption key (KEK) kept outside the database.

A sealed value is ``vbs1:`` followed by a Fernet token (AES-128-CBC + HMAC-SHA256, from
`cryptography`). The KEK is one or more Fernet keys: the first seals, every one unseals
(`MultiFernet`), so rotation is "put the new key first, re-seal everything, drop the old
one" (`vanban keys rotate`, docs/security.md).

Where the KEK comes from, first match wins:

1. ``VANBAN_KEK`` — the keys themselves, separated by commas or whitespace;
2. ``VANBAN_KEK_FILE`` — a file holding the keys, one a line (``#`` comments allowed);
3. the demo default ``$XDG_CONFIG_HOME/vanban/kek`` (``~/.config/vanban/kek``), generated
   once with mode 0600 so ``make run`` works on a fresh machine.

A KEK file inside the data directory is refused: a backup of the data directory must not
carry the key that opens it. Pure module: no Django.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from functools import lru_cache
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

__all__ = ["PREFIX", "SealError", "Sealer", "default_kek_path", "generate_key", "is_sealed",
           "load_sealer", "parse_keys", "process_sealer"]

PREFIX = "vbs1:"


class SealError(ValueError):
    """A stable code for machines, a Vietnamese message for people."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def generate_key() -> str:
    """A new random KEK (a Fernet key: 32 random bytes, URL-safe base64)."""
    return Fernet.generate_key().decode("ascii")


def is_sealed(value: object) -> bool:
    return isinstance(value, str) and value.startswith(PREFIX)


def parse_keys(text: str) -> list[bytes]:
    """Keys from ``VANBAN_KEK`` or a KEK file: commas, spaces or lines; ``#`` starts a comment."""
    keys: list[bytes] = []
    for raw_line in text.splitlines():
        line = raw_line.split("#", 1)[0]
        for part in line.replace(",", " ").split():
            key = part.strip().encode("ascii", "replace")
            try:
                Fernet(key)
            except ValueError as exc:
                raise SealError("KEK_BAD_KEY", "Khóa mã hóa khóa (KEK) không hợp lệ: cần khóa Fernet "
                                "(32 byte, base64 URL-safe), tạo bằng `vanban keys generate`.") from exc
            keys.append(key)
    return keys


class Sealer:
    """Seals and unseals short secrets (passwords, tokens) with the KEK."""

    def __init__(self, keys: Sequence[bytes], *, source: str = "") -> None:
        if not keys:
            raise SealError("KEK_MISSING", "Chưa có khóa mã hóa khóa (KEK).")
        self._fernet = MultiFernet([Fernet(k) for k in keys])
        self.key_count = len(keys)
        self.source = source

    def seal(self, plaintext: str) -> str:
        return PREFIX + self._fernet.encrypt(plaintext.encode("utf-8")).decode("ascii")

    def unseal(self, value: str) -> str:
        if not is_sealed(value):
            raise SealError("SEAL_NOT_SEALED", "Giá trị chưa được mã hóa.")
        try:
            return self._fernet.decrypt(value[len(PREFIX):].encode("ascii")).decode("utf-8")
        except (InvalidToken, UnicodeError) as exc:
            raise SealError("SEAL_WRONG_KEK", "Không giải mã được bí mật: khóa mã hóa khóa (KEK) "
                            "không đúng hoặc dữ liệu đã bị sửa.") from exc

    def reseal(self, value: str) -> str:
        """The same secret sealed under the first (newest) key; plaintext gets sealed."""
        if not is_sealed(value):
            return self.seal(value)
        try:
            return PREFIX + self._fernet.rotate(value[len(PREFIX):].encode("ascii")).decode("ascii")
        except InvalidToken as exc:
            raise SealError("SEAL_WRONG_KEK", "Không giải mã được bí mật: khóa mã hóa khóa (KEK) "
                            "không đúng hoặc dữ liệu đã bị sửa.") from exc

    def seal_bytes(self, data: bytes) -> bytes:
        return self._fernet.encrypt(data)

    def unseal_bytes(self, token: bytes) -> bytes:
        try:
            return self._fernet.decrypt(token)
        except InvalidToken as exc:
            raise SealError("SEAL_WRONG_KEK", "Không giải mã được dữ liệu bằng khóa mã hóa khóa (KEK).") from exc


def default_kek_path(environ: Mapping[str, str] | None = None) -> Path:
    env = os.environ if environ is None else environ
    base = env.get("XDG_CONFIG_HOME") or str(Path(env.get("HOME") or Path.home()) / ".config")
    return Path(base) / "vanban" / "kek"


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder.resolve())
    except ValueError:
        return False
    return True


def load_sealer(environ: Mapping[str, str] | None = None, *, data_dir: Path | None = None) -> Sealer:
    """The KEK from the environment, a file, or the generated demo default (module docstring)."""
    env = os.environ if environ is None else environ
    if raw := env.get("VANBAN_KEK", "").strip():
        return Sealer(parse_keys(raw), source="VANBAN_KEK")
    path_text = env.get("VANBAN_KEK_FILE", "").strip()
    path = Path(path_text).expanduser() if path_text else default_kek_path(env)
    if data_dir is not None and _inside(path, data_dir):
        raise SealError("KEK_IN_DATA_DIR", f"Tệp khóa mã hóa khóa {path} nằm trong thư mục dữ liệu "
                        f"{data_dir}: hãy để nó ở nơi khác (VANBAN_KEK_FILE).")
    if not path.exists():
        if path_text:
            raise SealError("KEK_MISSING", f"Không có tệp khóa mã hóa khóa {path} (VANBAN_KEK_FILE).")
        _write_new_key(path)
    try:
        text = path.read_text(encoding="ascii")
    except (OSError, UnicodeError) as exc:
        raise SealError("KEK_UNREADABLE", f"Không đọc được tệp khóa mã hóa khóa {path}: {exc}") from exc
    return Sealer(parse_keys(text), source=str(path))


def _write_new_key(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write("# vanban key-encryption key (KEK) generated for the demo; keep it out of backups\n")
        fh.write(generate_key() + "\n")
        fh.flush()
        os.fsync(fh.fileno())
    try:
        os.link(tmp, path)  # never replaces a key another process wrote first
    except FileExistsError:
        pass
    finally:
        tmp.unlink(missing_ok=True)


@lru_cache(maxsize=4)
def _cached(kek: str, kek_file: str, xdg: str, home: str, data_dir: str) -> Sealer:
    env = {"VANBAN_KEK": kek, "VANBAN_KEK_FILE": kek_file, "XDG_CONFIG_HOME": xdg, "HOME": home}
    return load_sealer(env, data_dir=Path(data_dir) if data_dir else None)


def process_sealer(data_dir: Path | None = None) -> Sealer:
    """The process's sealer, loaded once per environment (tests change the environment)."""
    env = os.environ
    return _cached(env.get("VANBAN_KEK", ""), env.get("VANBAN_KEK_FILE", ""),
                   env.get("XDG_CONFIG_HOME", ""), env.get("HOME", ""), str(data_dir or ""))
