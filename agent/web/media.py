"""Which files the web app may serve, and their signed URLs."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote, urlencode

from agent.settings import Settings
from agent.web.security import Signer


class MediaPathError(LookupError):
    """A requested file is outside the served folders (or does not exist, as the subclass)."""


class MediaNotFoundError(MediaPathError):
    """A path inside the served folders with no file."""


def served_roots(settings: Settings) -> list[Path]:
    """Folders whose files may be served: rendered media and reports (never the DB or keys)."""
    return [settings.media_dir.resolve(), settings.reports_dir.resolve()]


def resolve_media(settings: Settings, rel_path: str) -> Path:
    """The real file for ``rel_path`` (relative to the data dir), refusing anything outside.

    Raises:
        MediaPathError: The path escapes the served folders.
        MediaNotFoundError: No such file exists.
    """
    if "\x00" in rel_path or rel_path.startswith(("/", "\\")):
        raise MediaPathError("this path is not served")
    base = settings.data_dir.resolve()
    candidate = (base / rel_path).resolve()
    if not any(candidate.is_relative_to(root) for root in served_roots(settings)):
        raise MediaPathError("this path is not served")
    if not candidate.is_file():
        raise MediaNotFoundError("no such file")
    return candidate


def relative_media_path(settings: Settings, path: str | Path | None) -> str | None:
    """``path`` relative to the data dir when it lies in a served folder, else None."""
    if not path:
        return None
    resolved = Path(path).resolve()
    if not any(resolved.is_relative_to(root) for root in served_roots(settings)):
        return None
    return resolved.relative_to(settings.data_dir.resolve()).as_posix()


def signed_media_url(
    settings: Settings, signer: Signer, path: str | Path | None, ttl_seconds: int
) -> str | None:
    """A URL for ``path`` that works without a session until it expires; None if not served."""
    rel = relative_media_path(settings, path)
    if rel is None:
        return None
    expires, signature = signer.sign_path(rel, ttl_seconds)
    return f"/media/{quote(rel)}?" + urlencode({"exp": expires, "sig": signature})


__all__ = [
    "MediaNotFoundError",
    "MediaPathError",
    "relative_media_path",
    "resolve_media",
    "served_roots",
    "signed_media_url",
]
