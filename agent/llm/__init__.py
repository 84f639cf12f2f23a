"""Chat-model layer: the offline model, the provider factory and structured output."""

from agent.llm.capabilities import (
    CAPABILITIES,
    STRUCTURED_METHODS,
    Capabilities,
    StructuredMethod,
    StructuredPlan,
    rejected_feature,
)
from agent.llm.errors import (
    LLMConfigError,
    LLMError,
    ProviderAuthError,
    ProviderError,
    ProviderUnavailableError,
    StructuredMethodError,
    StructuredOutputError,
    translate_provider_error,
)
from agent.llm.events import LLMEvent, LLMEventHook, LLMEventKind
from agent.llm.factory import LLMSettings, build_chat_model
from agent.llm.offline.grounding import Grounding
from agent.llm.offline.model import OfflineChatModel, ground_messages
from agent.llm.offline.responders import (
    ResponderRegistry,
    ToolIntent,
    default_registry,
    match_tools,
    register_intent_responder,
    register_responder,
)
from agent.llm.offline.schema_fill import fill_model, fill_schema
from agent.llm.structured import invoke_structured, structured_plan_for
from agent.llm.tokens import count_message_tokens, count_tokens
from agent.llm.usage import UsageCounter, UsageTotals, usage_from_error

__all__ = [
    "CAPABILITIES",
    "STRUCTURED_METHODS",
    "Capabilities",
    "Grounding",
    "LLMConfigError",
    "LLMError",
    "LLMEvent",
    "LLMEventHook",
    "LLMEventKind",
    "LLMSettings",
    "OfflineChatModel",
    "ProviderAuthError",
    "ProviderError",
    "ProviderUnavailableError",
    "ResponderRegistry",
    "StructuredMethod",
    "StructuredMethodError",
    "StructuredOutputError",
    "StructuredPlan",
    "ToolIntent",
    "UsageCounter",
    "UsageTotals",
    "build_chat_model",
    "count_message_tokens",
    "count_tokens",
    "default_registry",
    "fill_model",
    "fill_schema",
    "ground_messages",
    "invoke_structured",
    "match_tools",
    "register_intent_responder",
    "register_responder",
    "rejected_feature",
    "structured_plan_for",
    "translate_provider_error",
    "usage_from_error",
]
