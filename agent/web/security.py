"""Passwords, session tokens, CSRF tokens and signed media URLs.

Passwords are hashed with scrypt (stdlib); bcrypt hashes are also accepted so an admin
password set by other tooling keeps working. Session tokens are random and stored only as
SHA-256 digests. CSRF tokens and media signatures are HMACs under a server secret kept in
the data dir with mode 0600.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
import time
from pathlib import Path

SCRYPT_N = 2**14
SCRYPT_R = 8
SCRYPT_P = 1
MIN_PASSWORD_LENGTH = 8
SECRET_FILE_NAME = "web.secret"


class PasswordPolicyError(ValueError):
    """A new password is too weak; the message says what is required."""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def hash_password(password: str) -> str:
    """Hash a password for ``users.password_hash``.

    Args:
        password: The plain password, at least ``MIN_PASSWORD_LENGTH`` characters.

    Returns:
        ``scrypt$n$r$p$salt$digest`` with URL-safe base64 parts.

    Raises:
        PasswordPolicyError: The password is too short.
    """
    if len(password) < MIN_PASSWORD_LENGTH:
        raise PasswordPolicyError(
            f"the password needs at least {MIN_PASSWORD_LENGTH} characters; choose a longer one"
        )
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(
        password.encode(), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, dklen=32
    )
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${_b64(salt)}${_b64(digest)}"


def verify_password(password: str, stored: str | None) -> bool:
    """Whether ``password`` matches ``stored`` (scrypt or bcrypt); False for no hash."""
    if not stored:
        return False
    if stored.startswith("scrypt$"):
        try:
            _, n, r, p, salt, digest = stored.split("$")
            expected = _unb64(digest)
            actual = hashlib.scrypt(
                password.encode(),
                salt=_unb64(salt),
                n=int(n),
                r=int(r),
                p=int(p),
                dklen=len(expected),
                maxmem=256 * 1024 * 1024,
            )
        except (ValueError, TypeError):
            return False
        return hmac.compare_digest(actual, expected)
    if stored.startswith(("$2a$", "$2b$", "$2y$")):
        import bcrypt

        try:
            return bcrypt.checkpw(password.encode(), stored.encode())
        except ValueError:
            return False
    return False


def new_session_token() -> str:
    """A fresh random session token for the cookie (never stored in plain)."""
    return secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    """The SHA-256 hex digest stored in ``app_sessions.token_hash``."""
    return hashlib.sha256(token.encode()).hexdigest()


def load_server_secret(data_dir: Path) -> bytes:
    """The web server's HMAC key, created on first use in ``data_dir`` with mode 0600."""
    path = data_dir / SECRET_FILE_NAME
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raw = path.read_bytes().strip()
        if len(raw) < 32:
            raise ValueError(
                f"{path} is damaged (too short); delete it and restart 'twin serve'"
            ) from None
        return raw
    with os.fdopen(fd, "wb") as handle:
        value = secrets.token_hex(32).encode()
        handle.write(value)
    return value


class Signer:
    """HMAC helper for CSRF tokens and expiring media URLs."""

    def __init__(self, secret: bytes) -> None:
        self._secret = secret

    def _mac(self, purpose: str, message: str) -> str:
        return _b64(hmac.new(self._secret, f"{purpose}\n{message}".encode(), "sha256").digest())

    def csrf_token(self, session_key: str) -> str:
        """The CSRF token bound to one session (or one pre-sign-in cookie)."""
        return self._mac("csrf", session_key)

    def check_csrf(self, session_key: str, token: str | None) -> bool:
        return bool(token) and hmac.compare_digest(self.csrf_token(session_key), str(token))

    def sign_path(
        self, rel_path: str, ttl_seconds: int, now: float | None = None
    ) -> tuple[int, str]:
        """An expiry time and signature granting access to ``rel_path`` until then."""
        expires = int((now if now is not None else time.time()) + ttl_seconds)
        return expires, self._mac("media", f"{rel_path}\n{expires}")

    def check_path(
        self, rel_path: str, expires: int, signature: str, now: float | None = None
    ) -> str:
        """``"ok"``, ``"expired"`` or ``"invalid"`` for a signed media request."""
        if not hmac.compare_digest(self._mac("media", f"{rel_path}\n{expires}"), signature):
            return "invalid"
        if expires < (now if now is not None else time.time()):
            return "expired"
        return "ok"


__all__ = [
    "MIN_PASSWORD_LENGTH",
    "PasswordPolicyError",
    "Signer",
    "hash_password",
    "load_server_secret",
    "new_session_token",
    "token_digest",
    "verify_password",
]
