"""The chat panel: steer the agent in words; actions that change things ask to confirm."""

from __future__ import annotations

import importlib
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response

from agent.chat.limits import MAX_MESSAGE_CHARS, message_too_long
from agent.errors import USER_ERRORS
from agent.llm import LLMError
from agent.web.auth import SignedIn, csrf_guard, require_user, web_state
from agent.web.pages import redirect, render
from agent.web.state import ChatTurn, WebState

router = APIRouter(dependencies=[Depends(require_user), Depends(csrf_guard)])

User = Annotated[SignedIn, Depends(require_user)]
MAX_MESSAGE = MAX_MESSAGE_CHARS
SHOWN_ERRORS: tuple[type[BaseException], ...] = (LLMError, *USER_ERRORS)
"""Errors whose message is written for the user (never a secret)."""


class ChatUnavailableError(RuntimeError):
    """The chat agent module is not part of this installation."""


def _chat_reply() -> Any:
    """``agent.chat.chat_reply``, imported on first use."""
    try:
        module = importlib.import_module("agent.chat")
    except ImportError as exc:
        raise ChatUnavailableError("the chat agent is not installed in this build") from exc
    return module.chat_reply


@router.get("/chat")
def chat_page(request: Request, user: User) -> Response:
    state = web_state(request)
    return render(
        request,
        "chat.html",
        active="chat",
        turns=state.chat_history(user.session_key),
        pending=state.pending_chat.get(user.session_key),
    )


def _ask(state: WebState, user: SignedIn, message: str, confirm: bool) -> ChatTurn:
    try:
        reply = _chat_reply()(
            state.system,
            user_email=user.email,
            message=message,
            confirm=confirm,
            actor=user.email,
            origin="web",
        )
    except ChatUnavailableError as exc:
        return ChatTurn(role="error", text=f"Chat is unavailable: {exc}.")
    except SHOWN_ERRORS as exc:
        return ChatTurn(role="error", text=str(exc))
    except Exception as exc:  # the page shows a message, never a traceback
        return ChatTurn(
            role="error", text=f"The chat agent failed ({exc.__class__.__name__}); try again."
        )
    if reply.needs_confirmation:
        state.pending_chat[user.session_key] = message
    else:
        state.pending_chat.pop(user.session_key, None)
    return ChatTurn(
        role="agent",
        text=reply.text,
        tool_calls=list(reply.tool_calls),
        pending_action=reply.pending_action,
        needs_confirmation=reply.needs_confirmation,
    )


@router.post("/chat")
def chat_send(request: Request, user: User, message: Annotated[str, Form()] = "") -> Response:
    state = web_state(request)
    text = message.strip()
    if not text:
        return redirect(request, "/chat", "Type a message first.", "error")
    refusal = message_too_long(text)
    if refusal:
        return redirect(request, "/chat", refusal, "error")
    state.add_chat(
        user.session_key, ChatTurn(role="you", text=text), _ask(state, user, text, False)
    )
    return redirect(request, "/chat#latest")


@router.post("/chat/confirm")
def chat_confirm(
    request: Request, user: User, decision: Annotated[str, Form()] = "confirm"
) -> Response:
    state = web_state(request)
    if state.pending_chat.pop(user.session_key, None) is None:
        return redirect(request, "/chat", "Nothing waits for confirmation.", "info")
    if decision != "confirm":  # the chat agent's thread hears the no, so nothing stays held
        state.add_chat(
            user.session_key, ChatTurn(role="you", text="Cancel."), _ask(state, user, "no", False)
        )
        return redirect(request, "/chat#latest")
    # The held action is the chat thread's pending interrupt; confirming needs no new words.
    state.add_chat(
        user.session_key, ChatTurn(role="you", text="Confirm."), _ask(state, user, "", True)
    )
    return redirect(request, "/chat#latest")
