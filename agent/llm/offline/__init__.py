"""The offline stand-in: a deterministic local chat model that writes words, never decisions.

``OfflineChatModel`` answers structured-output, tool-calling and chat requests with no key
and no network; :func:`cycle_registry` gives it the weekly cycle's writers (plan words,
scripts, captions, report prose), which read what was decided from the prompt's inputs.
"""

from agent.llm.offline.cycle import cycle_registry
from agent.llm.offline.model import OfflineChatModel, ground_messages
from agent.llm.offline.phrasing import read_inputs

__all__ = ["OfflineChatModel", "cycle_registry", "ground_messages", "read_inputs"]
