"""Errors raised by the chat-model layer, and translation of provider failures.

Messages name the provider and its base URL and say what to do; they never
contain an API key.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any
from urllib.parse import urlsplit, urlunsplit

__all__ = [
    "LLMConfigError",
    "LLMError",
    "ProviderAuthError",
    "ProviderError",
    "ProviderUnavailableError",
    "StructuredMethodError",
    "StructuredOutputError",
    "describe_provider",
    "translate_provider_error",
]

_DEFAULT_OPENAI_BASE = "https://api.openai.com/v1"


@dataclass(frozen=True)
class _ErrorClasses:
    connection: tuple[type[BaseException], ...]
    auth: tuple[type[BaseException], ...]
    overload: tuple[type[BaseException], ...]
    not_found: tuple[type[BaseException], ...]


@cache
def _error_classes() -> _ErrorClasses:
    """Provider exception classes, imported only when an error needs translating."""
    import httpx
    import openai
    from langchain_core import exceptions as lc_exceptions

    try:  # the OpenAI SDK may use the httpx2 fork for its transport
        import httpx2

        httpx2_connect: tuple[type[BaseException], ...] = (
            httpx2.ConnectError,
            httpx2.TimeoutException,
        )
    except ImportError:  # pragma: no cover - depends on the installed SDK
        httpx2_connect = ()
    return _ErrorClasses(
        connection=(
            openai.APIConnectionError,
            lc_exceptions.ModelConnectionError,
            lc_exceptions.ModelTimeoutError,
            httpx.ConnectError,
            httpx.TimeoutException,
            *httpx2_connect,
            ConnectionError,
            TimeoutError,
        ),
        auth=(
            openai.AuthenticationError,
            openai.PermissionDeniedError,
            lc_exceptions.ModelAuthenticationError,
            lc_exceptions.ModelPermissionDeniedError,
        ),
        overload=(
            openai.RateLimitError,
            openai.InternalServerError,
            lc_exceptions.ModelRateLimitError,
        ),
        not_found=(openai.NotFoundError,),
    )


class LLMError(RuntimeError):
    """Base class of chat-model layer errors."""


class LLMConfigError(LLMError, ValueError):
    """The LLM settings cannot work (for example, no API key for a hosted provider)."""


class StructuredOutputError(LLMError):
    """The model kept answering with output that does not validate against the schema.

    Attributes:
        schema_name: Name of the requested schema.
        attempts: How many answers were tried.
        last_error: Text of the last validation error.
    """

    def __init__(
        self, schema_name: str, attempts: int, last_error: str, *, method: str | None = None
    ) -> None:
        self.schema_name = schema_name
        self.attempts = attempts
        self.last_error = last_error
        self.method = method
        switch = (
            f", another TWIN_LLM_STRUCTURED_METHOD (this used {method})"
            if method is not None
            else ""
        )
        super().__init__(
            f"The model did not return a valid {schema_name} after {attempts} attempt(s). "
            f"Last error: {last_error}. "
            f"Try a more capable model (TWIN_LLM_MODEL){switch} or the offline provider."
        )


class StructuredMethodError(LLMError):
    """The server refused every structured-output method it was offered.

    Attributes:
        provider: Provider name.
        base_url: Endpoint (credentials removed), if any.
        tried: The methods tried, in order (e.g. ``["json_schema (strict)", "function_calling"]``).
        server_message: What the server said the last time, on one line.
    """

    def __init__(
        self, *, provider: str, base_url: str | None, tried: list[str], server_message: str
    ) -> None:
        self.provider = provider
        self.base_url = base_url
        self.tried = tried
        self.server_message = server_message
        where = f"{provider} provider at {base_url}" if base_url else f"{provider} provider"
        super().__init__(
            f"The {where} refused structured output with every method tried "
            f"({', '.join(tried)}); it last said: {server_message}. "
            "Set TWIN_LLM_STRUCTURED_METHOD to a method this server supports "
            "(json_schema, function_calling or json_mode) and TWIN_LLM_STRICT=false, "
            "or choose another TWIN_LLM_MODEL."
        )


class ProviderError(LLMError):
    """The model provider refused or failed a request.

    Attributes:
        provider: Provider name ("openai", "offline", ...).
        base_url: Endpoint the model talks to (credentials removed), if any.
    """

    def __init__(self, message: str, *, provider: str, base_url: str | None) -> None:
        self.provider = provider
        self.base_url = base_url
        super().__init__(message)


class ProviderUnavailableError(ProviderError):
    """The provider could not be reached, timed out, or kept failing (5xx/429)."""


class ProviderAuthError(ProviderError):
    """The provider rejected the API key."""


def describe_provider(model: Any) -> tuple[str, str | None]:
    """Name the provider and endpoint of a chat model, for error messages.

    Args:
        model: A LangChain chat model (possibly wrapped in a binding).

    Returns:
        ``(provider, base_url)``; the URL has any user/password part removed.
    """
    bound = getattr(model, "bound", model)
    llm_type = str(getattr(bound, "_llm_type", type(bound).__name__))
    if "openai" in llm_type:
        base = getattr(bound, "openai_api_base", None) or _DEFAULT_OPENAI_BASE
        return "openai", _strip_credentials(str(base))
    return llm_type, None


def translate_provider_error(exc: BaseException, model: Any) -> ProviderError | None:
    """Map a provider/transport exception to a clear :class:`ProviderError`.

    Args:
        exc: The exception raised while calling the model.
        model: The model that was called (for the provider name and URL).

    Returns:
        The error to raise instead, or None when ``exc`` is not a provider failure.
    """
    provider, base_url = describe_provider(model)
    classes = _error_classes()
    where = f"{provider} provider at {base_url}" if base_url else f"{provider} provider"
    for cause in _chain(exc):
        if isinstance(cause, classes.auth):
            return ProviderAuthError(
                f"The {where} rejected the API key. "
                "Set TWIN_LLM_API_KEY (or OPENAI_API_KEY) to a valid key for this endpoint.",
                provider=provider,
                base_url=base_url,
            )
        if isinstance(cause, classes.not_found):
            return ProviderError(
                f"The {where} does not know the requested model or path. "
                "Check TWIN_LLM_MODEL and TWIN_LLM_BASE_URL (it usually ends in /v1).",
                provider=provider,
                base_url=base_url,
            )
        if isinstance(cause, classes.overload):
            status = getattr(cause, "status_code", None)
            return ProviderUnavailableError(
                f"The {where} kept failing (HTTP {status or 'error'}) after retries. "
                "Try again later or raise the retry limit.",
                provider=provider,
                base_url=base_url,
            )
        if isinstance(cause, classes.connection):
            return ProviderUnavailableError(
                f"Cannot reach the {where} ({type(cause).__name__}). "
                "Check that the server is running and TWIN_LLM_BASE_URL is right, "
                "or use TWIN_LLM_PROVIDER=offline.",
                provider=provider,
                base_url=base_url,
            )
    return None


def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def _strip_credentials(url: str) -> str:
    parts = urlsplit(url)
    if parts.username is None and parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))
