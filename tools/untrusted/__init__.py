"""Untrusted text is data: sanitise it before it reaches prompts, titles or captions, and flag
what reads as orders for the agent, what looks like a secret, and active markup.

``sanitize(text, max_chars=...)`` cleans; ``inspect(text)`` returns typed :class:`Flag`s;
``review_flags(ReelInputs(...))`` and ``may_auto_approve(quality, flags, policy)`` are the
review gate's two questions: why distrust this reel, and may it skip a human.
"""

from tools.untrusted.flags import Flag, find_secrets, inspect, mask, normalise, without_secrets
from tools.untrusted.patterns import INSTRUCTION_RULES, MARKUP_RULES, SECRET_RULES, FlagKind, Rule
from tools.untrusted.review import (
    FLAGS_KEY,
    ApprovalPolicy,
    AutoApproval,
    ReelInputs,
    checks_with_flags,
    flags_from_checks,
    may_auto_approve,
    review_flags,
)
from tools.untrusted.sanitize import ELLIPSIS, plain_text, sanitize, strip_invisible

__all__ = [
    "ELLIPSIS",
    "FLAGS_KEY",
    "INSTRUCTION_RULES",
    "MARKUP_RULES",
    "SECRET_RULES",
    "ApprovalPolicy",
    "AutoApproval",
    "Flag",
    "FlagKind",
    "ReelInputs",
    "Rule",
    "checks_with_flags",
    "find_secrets",
    "flags_from_checks",
    "inspect",
    "mask",
    "may_auto_approve",
    "normalise",
    "plain_text",
    "review_flags",
    "sanitize",
    "strip_invisible",
    "without_secrets",
]
