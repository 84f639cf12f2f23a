"""Secrets at rest: AES-256-GCM under ``TWIN_SECRET_KEY`` or a 0600 key file.

Ciphertexts are text ``v1:<base64(nonce | ciphertext+tag)>`` so they fit any TEXT column.
The associated data binds each ciphertext to its column and row, so a value moved to
another row does not decrypt.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

PREFIX = "v1:"
KeySource = Literal["env", "key_file"]


class SecretKeyError(RuntimeError):
    """The key is missing, unreadable, or not the one the secrets were stored with."""


WRONG_KEY_MESSAGE = "cannot decrypt stored credentials: TWIN_SECRET_KEY does not match the key they were stored with"


def _derive(material: str) -> bytes:
    raw = material.strip()
    try:
        decoded = base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4))
        if len(decoded) == 32:
            return decoded
    except (binascii.Error, ValueError):
        pass
    # A passphrase: stretch it into a 256-bit key (deterministic, so the same phrase works).
    return HKDF(algorithm=SHA256(), length=32, salt=b"twin-agent/v1", info=b"secrets").derive(
        raw.encode()
    )


def generate_key() -> str:
    """A new random key, as URL-safe base64 text."""
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode().rstrip("=")


@dataclass(frozen=True)
class Cipher:
    """Encrypts and decrypts secrets with one key."""

    key: bytes
    source: KeySource

    @classmethod
    def from_material(cls, material: str, source: KeySource) -> Cipher:
        return cls(key=_derive(material), source=source)

    @property
    def fingerprint(self) -> str:
        """A short non-secret identifier of the key (safe to show)."""
        return hashlib.sha256(b"twin-fp" + self.key).hexdigest()[:12]

    def encrypt(self, plaintext: str, *, context: str) -> str:
        nonce = os.urandom(12)
        ct = AESGCM(self.key).encrypt(nonce, plaintext.encode(), context.encode())
        return PREFIX + base64.b64encode(nonce + ct).decode()

    def decrypt(self, token: str, *, context: str) -> str:
        if not token.startswith(PREFIX):
            raise SecretKeyError("stored credential is not in the expected encrypted format")
        blob = base64.b64decode(token[len(PREFIX) :])
        try:
            return AESGCM(self.key).decrypt(blob[:12], blob[12:], context.encode()).decode()
        except InvalidTag as exc:
            raise SecretKeyError(WRONG_KEY_MESSAGE) from exc


def load_cipher(*, env_key: str | None, key_file: Path, create: bool = False) -> Cipher:
    """The cipher from ``TWIN_SECRET_KEY`` if set, else from the key file.

    Args:
        env_key: the value of ``TWIN_SECRET_KEY`` (None when unset).
        key_file: where the generated key lives.
        create: create the key file (mode 0600) when it does not exist (``twin init``).
    """
    if env_key:
        return Cipher.from_material(env_key, "env")
    if key_file.exists():
        mode = key_file.stat().st_mode & 0o777
        if mode & 0o077:
            raise SecretKeyError(
                f"key file {key_file} is readable by others (mode {mode:o}); run: chmod 600 {key_file}"
            )
        return Cipher.from_material(key_file.read_text().strip(), "key_file")
    if not create:
        raise SecretKeyError(
            f"no secret key: set TWIN_SECRET_KEY or run 'twin init' to create {key_file}"
        )
    write_key_file(key_file, generate_key())
    return Cipher.from_material(key_file.read_text().strip(), "key_file")


def write_key_file(path: Path, material: str) -> None:
    """Write a key file atomically with mode 0600."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(material + "\n")
    os.replace(tmp, path)
