"""Exceptions a user can cause, and how the CLI reports each: one line, a code, an exit status.

Every failure kind has a stable ``code`` (the ``{"error": {"code", "message"}}`` object under
``--json``) and a distinct exit status, listed in the README's exit-codes table.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from enum import IntEnum

from agent.settings import SettingsError
from db.crypto import SecretKeyError
from db.engine import DatabaseError
from db.errors import SchemaMissingError, SchemaOutdatedError
from db.repo.identity import NotFoundError


class DataDirError(RuntimeError):
    """The data directory cannot be created or written."""


class UserError(RuntimeError):
    """A generic problem a user can fix; the message says how."""


class RunError(RuntimeError):
    """A run could not start or continue; the message says why and what to do."""


class RunInterrupted(RuntimeError):
    """Raised inside a run to stop it on purpose (a worker shutting down); the run resumes later."""


class InputError(UserError):
    """An argument or file given on the command line is unusable (wrong encoding, too long, ...)."""


class ExitCode(IntEnum):
    """Exit statuses of ``twin``; each failure kind has its own."""

    OK = 0
    FAILED = 1
    USAGE = 2
    NOT_INITIALISED = 3
    NOT_FOUND = 4
    CONFIG = 5
    DATABASE = 6
    UNREACHABLE = 7
    SCHEMA_OUTDATED = 8
    WAITING_FOR_REVIEW = 10
    INTERRUPTED = 130


@dataclass(frozen=True)
class Failure:
    """How one failure is reported."""

    code: str
    exit_code: ExitCode
    message: str


NotInitialisedError = SchemaMissingError
"""The data dir or database holds no Twin Agent schema yet (``twin init`` creates it)."""

_KINDS: list[tuple[type[BaseException], str, ExitCode]] = [
    (SchemaMissingError, "not_initialised", ExitCode.NOT_INITIALISED),
    (SchemaOutdatedError, "schema_outdated", ExitCode.SCHEMA_OUTDATED),
    (NotFoundError, "not_found", ExitCode.NOT_FOUND),
    (SettingsError, "invalid_config", ExitCode.CONFIG),
    (SecretKeyError, "invalid_config", ExitCode.CONFIG),
    (DataDirError, "invalid_config", ExitCode.CONFIG),
    (DatabaseError, "database", ExitCode.DATABASE),
    (InputError, "invalid_input", ExitCode.USAGE),
    (RunError, "run_failed", ExitCode.FAILED),
    (UserError, "failed", ExitCode.FAILED),
]

# Raised by layers the CLI imports lazily: matched only once their module is loaded (an
# exception of a class whose module was never imported cannot occur).
_LAZY_KINDS: list[tuple[str, str, str, ExitCode]] = [
    ("agent.fleet.app", "BrokerUnavailableError", "broker_unreachable", ExitCode.UNREACHABLE),
    ("agent.fleet.app", "BrokerNotConfiguredError", "invalid_config", ExitCode.CONFIG),
    ("agent.llm.errors", "ProviderUnavailableError", "provider_unreachable", ExitCode.UNREACHABLE),
    ("agent.llm.errors", "ProviderAuthError", "provider_refused", ExitCode.CONFIG),
    ("agent.llm.errors", "LLMConfigError", "invalid_config", ExitCode.CONFIG),
    ("agent.llm.errors", "LLMError", "provider_failed", ExitCode.FAILED),
    ("memory.embeddings", "EmbeddingServiceError", "provider_unreachable", ExitCode.UNREACHABLE),
    ("memory.chroma", "MemoryConfigError", "invalid_config", ExitCode.CONFIG),
    ("memory.model_files", "ModelIntegrityError", "invalid_config", ExitCode.CONFIG),
    ("agent.creating.consent", "ConsentRequiredError", "consent_required", ExitCode.FAILED),
    ("tools.publish.base", "PublishError", "publish_failed", ExitCode.UNREACHABLE),
    ("tools.tts.base", "TTSError", "tts_failed", ExitCode.FAILED),
    ("tools.render.base", "RenderError", "render_failed", ExitCode.FAILED),
    ("tools.trends", "TrendsError", "trends_failed", ExitCode.FAILED),
]


def _lazy_match(exc: BaseException) -> tuple[str, ExitCode] | None:
    for module_name, class_name, code, exit_code in _LAZY_KINDS:
        module = sys.modules.get(module_name)
        cls = getattr(module, class_name, None) if module is not None else None
        if isinstance(cls, type) and isinstance(exc, cls):
            if class_name == "PublishError" and not _unreachable(exc):
                return "publish_failed", ExitCode.FAILED
            return code, exit_code
    return None


def _unreachable(exc: BaseException) -> bool:
    return bool(getattr(exc, "retryable", False)) or getattr(exc, "code", None) == "network"


_database_url: dict[str, str | None] = {"current": None}


def remember_database_url(url: str | None) -> None:
    """Record the running command's database URL, so a driver error can name its file or host."""
    _database_url["current"] = url


def _current_database_url() -> str | None:
    return _database_url["current"]


def one_line(text: str) -> str:
    """``text`` on one line: inner line breaks become ``; ``."""
    parts = [p.strip() for p in str(text).splitlines() if p.strip()]
    return "; ".join(parts) or "failed"


def classify(exc: BaseException) -> Failure | None:
    """The report for an exception a user can cause, or None for anything else (a defect)."""
    if isinstance(exc, UnicodeError):
        return Failure("invalid_input", ExitCode.USAGE, f"input is not valid UTF-8 text ({exc})")
    for cls, code, exit_code in _KINDS:
        if isinstance(exc, cls):
            return Failure(code, exit_code, one_line(str(exc)))
    lazy = _lazy_match(exc)
    if lazy is not None:
        return Failure(lazy[0], lazy[1], one_line(str(exc)))
    from db.engine import explain_database_error

    explained = explain_database_error(exc, _current_database_url())
    if explained is not None:
        return classify(explained)
    return None


USER_ERRORS: tuple[type[BaseException], ...] = (
    UserError,
    RunError,
    DataDirError,
    SecretKeyError,
    DatabaseError,
    NotFoundError,
    SettingsError,
)
"""Exceptions whose message is meant for the user as it is (the web app shows them too)."""

__all__ = [
    "USER_ERRORS",
    "ExitCode",
    "Failure",
    "InputError",
    "NotInitialisedError",
    "RunError",
    "RunInterrupted",
    "SchemaOutdatedError",
    "UserError",
    "classify",
    "one_line",
    "remember_database_url",
]
