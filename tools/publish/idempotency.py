"""Idempotency markers: a short tag derived from the idempotency key, carried in the caption."""

from __future__ import annotations

import hashlib

__all__ = ["caption_with_marker", "has_marker", "marker_for"]


def marker_for(idempotency_key: str) -> str:
    """Short, stable tag for a key, e.g. ``ta-3f9c2b1d0e``; the key itself never leaves the host."""
    digest = hashlib.sha256(idempotency_key.encode("utf-8")).hexdigest()
    return f"ta-{digest[:10]}"


def caption_with_marker(
    caption: str, hashtags: list[str], idempotency_key: str, *, max_len: int | None = None
) -> str:
    """Caption text + hashtags + the marker on its own last line, trimmed to ``max_len``.

    The marker is kept when trimming; the caption body is shortened instead.
    """
    tags = " ".join(t if t.startswith("#") else f"#{t}" for t in hashtags if t)
    body = caption.strip()
    if tags and tags not in body:
        body = f"{body}\n\n{tags}" if body else tags
    tail = f"\n\nref {marker_for(idempotency_key)}"
    if max_len is not None and len(body) + len(tail) > max_len:
        body = body[: max(0, max_len - len(tail) - 1)].rstrip() + "…"
    return f"{body}{tail}"


def has_marker(text: str | None, idempotency_key: str) -> bool:
    """Whether ``text`` carries the marker of ``idempotency_key``."""
    return bool(text) and marker_for(idempotency_key) in str(text)
