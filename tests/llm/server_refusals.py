"""How real OpenAI-compatible servers refuse request features they lack (bodies as sent)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

__all__ = ["REFUSALS", "Refusal", "RefusedFeature"]

RefusedFeature = Literal["json_schema", "json_object", "tools", "auto_tools", "tool_strict", "any"]


@dataclass(frozen=True)
class Refusal:
    """How one real server refuses a request feature it lacks.

    Attributes:
        feature: What is refused: "json_schema" / "json_object" (that
            ``response_format`` type), "tools" (any tools), "auto_tools" (tools
            without a named ``tool_choice``, as vLLM without
            ``--enable-auto-tool-choice``), "tool_strict" (a tool with
            ``strict: true``) or "any" (every request: a gateway refusing the lot).
        status: HTTP status sent.
        body: JSON body sent, exactly as that server words it.
    """

    feature: RefusedFeature
    status: int
    body: dict[str, Any]

    def applies(self, body: dict[str, Any]) -> bool:
        """Whether the request ``body`` uses the refused feature."""
        kind = (body.get("response_format") or {}).get("type")
        tools = list(body.get("tools") or [])
        if self.feature in ("json_schema", "json_object"):
            return kind == self.feature
        if self.feature == "tools":
            return bool(tools)
        if self.feature == "auto_tools":
            return bool(tools) and not isinstance(body.get("tool_choice"), dict)
        if self.feature == "tool_strict":
            return any(t.get("function", {}).get("strict") is True for t in tools)
        return True


def _openai_error(message: str, kind: str, param: str | None, code: str | None) -> dict[str, Any]:
    return {"error": {"message": message, "type": kind, "param": param, "code": code}}


REFUSALS: dict[str, Refusal] = {
    "openai_json_schema": Refusal("json_schema", 400, _openai_error(
        "Invalid parameter: 'response_format' of type 'json_schema' is not supported with this "
        "model. Learn more about supported models at the Structured Outputs guide: "
        "https://platform.openai.com/docs/guides/structured-outputs",
        "invalid_request_error", None, None)),
    "openai_json_object": Refusal("json_object", 400, _openai_error(
        "Invalid parameter: 'response_format' of type 'json_object' is not supported with this "
        "model.", "invalid_request_error", "response_format", None)),
    "openai_tools": Refusal("tools", 400, _openai_error(
        "Unsupported parameter: 'tools' is not supported with this model.",
        "invalid_request_error", "tools", "unsupported_parameter")),
    "gateway_tool_strict": Refusal("tool_strict", 400, _openai_error(
        "Invalid value: 'true'. The value 'true' isn't supported yet. For now, please use "
        "'false' for this setting.", "invalid_request_error", "tools[0].function.strict",
        "invalid_value")),
    "ollama_tools": Refusal("tools", 400, _openai_error(
        "registry.ollama.ai/library/gemma3:4b does not support tools", "api_error", None, None)),
    "vllm_auto_tools": Refusal("auto_tools", 400, _openai_error(
        '"auto" tool choice requires --enable-auto-tool-choice and --tool-call-parser to be set',
        "BadRequestError", None, "400")),
    "llama_cpp_json_schema": Refusal("json_schema", 500, {"error": {
        "code": 500, "type": "server_error",
        "message": 'response_format type must be one of "text" or "json_object", but got: '
        "json_schema"}}),
    "llama_cpp_tools": Refusal("tools", 500, {"error": {
        "code": 500, "message": "tools param requires --jinja flag", "type": "server_error"}}),
    "lm_studio_json_object": Refusal("json_object", 400, {
        "error": "'response_format.type' must be 'json_schema' or 'text'"}),
    "deepseek_json_schema": Refusal("json_schema", 400, _openai_error(
        "This response_format type is unavailable now", "invalid_request_error", None,
        "invalid_request_error")),
    "gateway_everything": Refusal("any", 400, _openai_error(
        'Validation Error: "parallel_tool_calls", "response_format" - Extra inputs are not '
        "permitted", "invalid_request_error", None, None)),
}  # fmt: skip
"""Refusal bodies as each server sends them (OpenAI, Ollama, vLLM, llama.cpp, LM Studio,
DeepSeek, and gateways that validate requests strictly)."""
