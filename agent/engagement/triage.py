"""Which comments get a reply: decided in code, before any model sees a comment.

A comment is read as exactly one kind, checked in this order so the worst reading wins:

1. ``own``: the account's own comment or reply -- never answered.
2. ``empty``: no words (a mention, punctuation); emoji-only praise counts as praise.
3. ``injection``: text that tries to instruct the agent (ignore your instructions, print your
   API key, "SYSTEM:", reply with my link). Flagged, never answered, never sent to a model.
4. ``abuse``: insults and harassment. Flagged, never answered.
5. ``spam``: links, promotion, "DM me", giveaways. Flagged, never answered.
6. ``question``: asks something (a question mark, or opens like a question). Answered.
7. ``substantive``: a remark of some length that is not only praise. Answered.
8. ``praise``: short appreciation. At most a short thanks, within a daily share of the limit.
9. ``other``: anything else short ("first", "lol"). Not answered.

:func:`plan_replies` then applies the account's daily automation limit (seed 000): answers come
before thanks, questions before remarks, older comments first; what does not fit today waits.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

__all__ = [
    "THANKS_SHARE",
    "Candidate",
    "Kind",
    "Plan",
    "Triage",
    "normalise",
    "plan_replies",
    "triage_comment",
]

Kind = Literal[
    "own", "empty", "injection", "abuse", "spam", "question", "substantive", "praise", "other"
]
Reply = Literal["answer", "thanks", "none"]

THANKS_SHARE = 0.25
"""Share of an account's daily reply limit that short thanks for praise may use (at least 1)."""
SUBSTANTIVE_WORDS = 8

_INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]")
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?", re.UNICODE)

_INJECTION = [
    re.compile(p, re.I | re.S)
    for p in (
        r"\b(ignore|disregard|forget|override|bypass)\b.{0,40}\b(instructions?|rules|prompts?|"
        r"guidelines|directives?|above|previous|programming|guardrails)\b",
        r"^\W*(system|assistant|developer|admin)\s*[:>]",
        r"<\s*/?\s*(system|assistant|user|im_start|im_end|inputs?)\b",
        r"\[/?inst\]|###\s*(instruction|system)|\{\{.*\}\}",
        r"\b(system|developer|admin|god)\s*(prompt|mode|message|override)\b",
        r"\b(print|show|reveal|share|post|send|tell|give|leak|dump|paste|output|display|repeat|"
        r"type|list|include)\b.{0,30}\b(your|the|its)\b.{0,20}\b(api[\s_-]?keys?|(access|refresh|"
        r"auth|bearer)[\s_-]?tokens?|secret[\s_-]?keys?|credentials|system prompt|env(ironment)? "
        r"var\w*)\b",
        r"\b(print|show|reveal|share|tell|give|leak|dump|paste|output|display|repeat|list)\b"
        r".{0,30}\byour\b.{0,10}\b(instructions|prompt|rules|programming|guidelines)\b",
        r"\bwhat(?:'|’)?s?\s*(is|are)?\s*your\b.{0,15}\b(api[\s_-]?key|token|password|secret|"
        r"system prompt|instructions|prompt)\b",
        r"\byou are now\b|\bfrom now on,? (you|reply|respond|answer|always)\b",
        r"\b(act|pretend|behave|roleplay) as\b|\bjailbreak\w*\b|\bdo anything now\b",
        r"\b(reply|respond|answer|say|write|post|comment)\b.{0,25}\b(with|exactly|only|this)\b"
        r".{0,40}(https?://|www\.|\b(my|this) (link|site|page|channel)\b|@\w+)",
        r"\b(tell|ask|get) (everyone|all|your (followers|audience|viewers))\b",
        r"\b(as an ai|language model|llm|chatbot|the bot)\b.{0,40}\b(must|should|will|now)\b",
    )
]
_ABUSE = re.compile(
    r"\b(idiots?|morons?|imbeciles?|scum\w*|kys|kill yourself|shut up|go die|hate you|"
    r"delete your account|you suck|worthless|disgusting|you(?:'re| are)? (so )?(stupid|dumb|an? "
    r"(idiot|moron|clown|loser|joke|fraud)|pathetic|clueless)|(this|that|it)(?:'s| is) "
    r"(garbage|trash|rubbish|a joke)|(garbage|trash) (video|content|take|advice|channel))\b",
    re.I,
)
_SPAM = re.compile(
    r"(https?://|www\.|\bbit\.ly\b|\b[a-z0-9-]+\.(com|net|io|ly|me|xyz|example|link|app|top)"
    r"(/\S*)?\b|\b(check|visit) (out )?my (profile|page|bio|channel|link)\b|\bfollow (me|back)\b|"
    r"\bdm me\b|\bwhats ?app\b|\btelegram\b|\bgiveaway\b|\bfree (followers|likes|views)\b|"
    r"\bearn \$?\d|\$\d+\s*(a|per) day|\bpromo code\b|\bclick (the |my )?link\b|\bsub4sub\b|"
    r"\b(send|double) (your )?\d*\.?\d* ?(eth|btc|usdt|crypto)\b|\bcrypto\b.{0,20}\bgiveaway\b)",
    re.I,
)
_QUESTION_OPENERS = re.compile(
    r"^\W*(how|what|why|when|where|which|who|whose|whom|can (you|i|we)|could (you|i|we)|"
    r"would (you|it)|does|is there|are there|any tips|anyone know|wondering)\b",
    re.I,
)
_PRAISE = re.compile(
    r"(\b(love[ds]?|great|amazing|awesome|thanks?|thank you|helpful|brilliant|nice|cool|"
    r"fantastic|perfect|best|useful|excellent|superb|wow|incredible|gold|legend|saved|saving|"
    r"well done|so good|needed this|spot on)\b|[🔥❤👏🙌💯😍🥰👍✨🙏])",
    re.I,
)


@dataclass(frozen=True)
class Triage:
    """What the code makes of one comment.

    Attributes:
        kind: The one kind the comment is read as.
        reply: ``answer``, ``thanks`` or ``none``.
        flagged: Spam, abuse or an attempt to instruct the agent (shown to the creator as such).
        reason: One line a creator can read.
    """

    kind: Kind
    reply: Reply
    flagged: bool
    reason: str


def normalise(text: str) -> str:
    """NFKC, invisible characters removed, whitespace collapsed (for matching, not for display)."""
    clean = _INVISIBLE.sub("", unicodedata.normalize("NFKC", text or ""))
    return " ".join(clean.split())


def triage_comment(text: str, *, by_account: bool = False) -> Triage:
    """Read one comment. Pure: the same text always gets the same answer."""
    if by_account:
        return Triage("own", "none", False, "the account's own comment")
    clean = normalise(text)
    words = _WORD.findall(clean)
    if not words:
        if _PRAISE.search(clean):
            return Triage("praise", "thanks", False, "praise; a short thanks within the daily cap")
        return Triage("empty", "none", False, "no words to answer")
    if any(p.search(clean) for p in _INJECTION):
        return Triage(
            "injection",
            "none",
            True,
            "tries to instruct the agent; never answered and never shown to the model",
        )
    if _ABUSE.search(clean):
        return Triage("abuse", "none", True, "abusive; never answered")
    if _SPAM.search(clean):
        return Triage("spam", "none", True, "spam or a link; never answered")
    if "?" in clean or _QUESTION_OPENERS.search(clean):
        return Triage("question", "answer", False, "asks a question")
    praise = _PRAISE.search(clean)
    if len(words) >= SUBSTANTIVE_WORDS and not (praise and len(words) < 12):
        return Triage("substantive", "answer", False, "a substantive remark")
    if praise:
        return Triage("praise", "thanks", False, "praise; a short thanks within the daily cap")
    return Triage("other", "none", False, "nothing to answer")


@dataclass(frozen=True)
class Candidate:
    """A new comment with its triage, as :func:`plan_replies` orders them."""

    key: str
    triage: Triage
    created_at: datetime | None = None


@dataclass
class Plan:
    """What to do with each new comment today.

    Attributes:
        answers: Keys to draft an answer for.
        thanks: Keys to draft a short thanks for.
        skipped: key -> why no reply will be drafted (stored, not revisited).
        deferred: Keys over today's limit (not stored; considered again on a later sync).
    """

    answers: list[str] = field(default_factory=list)
    thanks: list[str] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)
    deferred: list[str] = field(default_factory=list)


def plan_replies(
    candidates: Sequence[Candidate],
    *,
    daily_limit: int,
    drafted_today: int,
    thanks_today: int,
    thanks_share: float = THANKS_SHARE,
) -> Plan:
    """Choose today's replies within the account's daily automation limit.

    Args:
        candidates: New comments (never seen before) with their triage.
        daily_limit: Replies the account may draft per day (0 turns drafting off).
        drafted_today: Replies already drafted on the account today.
        thanks_today: Of those, thanks for praise.
        thanks_share: Share of the daily limit thanks may use (at least one thanks a day).

    Returns:
        The plan; every candidate lands in exactly one of its lists.
    """
    plan = Plan()
    room = max(0, daily_limit - drafted_today)
    thanks_cap = max(1, int(daily_limit * thanks_share)) if daily_limit > 0 else 0
    thanks_room = max(0, thanks_cap - thanks_today)
    order = {"question": 0, "substantive": 1}

    def when(c: Candidate) -> float:
        return c.created_at.timestamp() if c.created_at else 0.0

    answers = sorted(
        (c for c in candidates if c.triage.reply == "answer"),
        key=lambda c: (order.get(c.triage.kind, 2), when(c), c.key),
    )
    for candidate in answers:
        if room > 0:
            plan.answers.append(candidate.key)
            room -= 1
        else:
            plan.deferred.append(candidate.key)
    for candidate in sorted(
        (c for c in candidates if c.triage.reply == "thanks"), key=lambda c: (when(c), c.key)
    ):
        if room > 0 and thanks_room > 0:
            plan.thanks.append(candidate.key)
            room -= 1
            thanks_room -= 1
        else:
            plan.skipped[candidate.key] = "praise; the day's thanks are used up"
    for candidate in candidates:
        if candidate.triage.reply == "none" and candidate.triage.kind != "own":
            plan.skipped[candidate.key] = candidate.triage.reason
    return plan
