"""Find a speech engine by provider name: built-ins, then plugins.

A third-party package adds an engine without touching this code by declaring
an entry point in the ``twin_agent.tts`` group, e.g. in its pyproject.toml::

    [project.entry-points."twin_agent.tts"]
    acme = "acme_tts:AcmeEngine"

The entry point names a class (or any callable) that takes the engine's
settings as keyword arguments and returns an object with ``name`` and
``synthesize(*, text, language, voice, out_path)``.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib.metadata import EntryPoint, entry_points
from typing import Any

from tools.tts.base import TTSEngine, TTSError

ENTRY_POINT_GROUP = "twin_agent.tts"

# VoiceProfile.provider is elevenlabs | resemble | other; "other" means the offline voice.
_ALIASES = {"other": "espeak", "local": "espeak", "offline": "espeak", "espeak-ng": "espeak"}


def _espeak(**settings: Any) -> TTSEngine:
    from tools.tts.espeak import EspeakEngine

    return EspeakEngine(**settings)


def _elevenlabs(**settings: Any) -> TTSEngine:
    from tools.tts.elevenlabs_engine import ElevenLabsEngine

    return ElevenLabsEngine(**settings)


_BUILTINS: dict[str, Callable[..., TTSEngine]] = {"espeak": _espeak, "elevenlabs": _elevenlabs}


def plugin_entry_points() -> dict[str, EntryPoint]:
    """Installed ``twin_agent.tts`` entry points by lowercase name."""
    return {ep.name.lower(): ep for ep in entry_points(group=ENTRY_POINT_GROUP)}


def available_providers() -> list[str]:
    """Every provider name :func:`get_engine` accepts, sorted."""
    return sorted({*_BUILTINS, *_ALIASES, *plugin_entry_points()})


def get_engine(provider: str, **settings: Any) -> TTSEngine:
    """Build the speech engine for ``provider``.

    Built-ins win over plugins of the same name, so a plugin cannot replace
    them by accident.

    Args:
        provider: ``espeak`` (aliases ``other``, ``local``, ``offline``),
            ``elevenlabs``, or a plugin's entry-point name.
        **settings: Keyword arguments for the engine (api_key, base_url, ...).

    Returns:
        A ready engine.

    Raises:
        TTSError: Unknown provider (the message lists the known ones), a
            plugin that fails to load, or settings the engine rejects.
    """
    key = provider.strip().lower()
    key = _ALIASES.get(key, key)
    factory: Callable[..., Any] | None = _BUILTINS.get(key)
    if factory is None:
        entry = plugin_entry_points().get(key)
        if entry is None:
            raise TTSError(
                f"No speech engine named {provider!r}. Available: "
                f"{', '.join(available_providers())}. Install a plugin that registers "
                f"'{provider}' in the {ENTRY_POINT_GROUP!r} entry-point group to add one."
            )
        try:
            factory = entry.load()
        except Exception as exc:
            raise TTSError(
                f"The speech engine plugin {provider!r} ({entry.value}) failed to load: "
                f"{type(exc).__name__}. Reinstall or remove the plugin."
            ) from exc
    try:
        engine = factory(**settings)
    except TypeError as exc:
        raise TTSError(f"The {key!r} speech engine does not accept these settings: {exc}") from exc
    if not isinstance(engine, TTSEngine):
        raise TTSError(
            f"The speech engine {provider!r} does not provide `name` and `synthesize(...)`; "
            "fix or remove the plugin."
        )
    return engine
