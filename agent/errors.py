"""Exceptions a user can cause; the CLI prints their message as one line."""

from __future__ import annotations

from db.crypto import SecretKeyError
from db.engine import DatabaseError
from db.repo.identity import NotFoundError


class DataDirError(RuntimeError):
    """The data directory cannot be created or written."""


class UserError(RuntimeError):
    """A generic problem a user can fix; the message says how."""


class RunError(RuntimeError):
    """A run could not start or continue; the message says why and what to do."""


class RunInterrupted(RuntimeError):
    """Raised inside a run to stop it on purpose (a worker shutting down); the run resumes later."""


USER_ERRORS: tuple[type[BaseException], ...] = (
    UserError,
    RunError,
    DataDirError,
    SecretKeyError,
    DatabaseError,
    NotFoundError,
)
