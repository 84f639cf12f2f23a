"""``ChatOpenAI`` that also carries how structured output is asked for (imported lazily)."""

from __future__ import annotations

from langchain_openai import ChatOpenAI

from agent.llm.capabilities import StructuredMethod

__all__ = ["CompatibleChatOpenAI"]


class CompatibleChatOpenAI(ChatOpenAI):
    """A ``ChatOpenAI`` for any OpenAI-compatible server.

    :func:`agent.llm.invoke_structured` reads the two fields below, so every caller asks
    for typed output the way the settings say without passing them around.

    Attributes:
        structured_method: The method tried first (TWIN_LLM_STRUCTURED_METHOD).
        structured_strict: Ask the server to enforce the schema (TWIN_LLM_STRICT).
    """

    structured_method: StructuredMethod = "json_schema"
    structured_strict: bool = True
