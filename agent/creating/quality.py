"""An explicit, explainable quality score for a reel: each failed check costs a fixed share.

Besides length, duration, limits and banned phrases, the checks read the script the way a
creator would: is it about its topic, does it make concrete points, does it keep the hook's
promise, does it claim experiences nobody had, does it read as broken text, does it end with
a call to action. The score gates auto-approval (``auto_above``), so these defects keep a reel
in the inbox.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from agent.creating.limits import compose, limits_for
from agent.schemas import MAX_SCRIPT_WORDS, word_count

BANNED_PHRASES = (
    "guaranteed returns",
    "get rich quick",
    "100% guaranteed",
    "risk-free profit",
    "this is financial advice",
    "miracle cure",
    "follow for follow",
)
STOPWORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "but",
        "by",
        "for",
        "from",
        "has",
        "have",
        "how",
        "in",
        "into",
        "is",
        "it",
        "its",
        "of",
        "on",
        "or",
        "our",
        "so",
        "than",
        "that",
        "the",
        "their",
        "then",
        "there",
        "these",
        "this",
        "those",
        "to",
        "was",
        "what",
        "when",
        "where",
        "which",
        "who",
        "why",
        "will",
        "with",
        "you",
        "your",
        "about",
        "more",
        "most",
        "less",
        "get",
        "right",
        "today",
        "here",
        "nobody",
        "talk",
        "does",
        "people",
        "wrong",
        "fix",
        "before",
        "after",
        "every",
        "first",
        "second",
        "third",
        "then",
        "thing",
        "things",
        "because",
        "never",
        "always",
        "only",
        "just",
        "like",
        "make",
        "makes",
        "know",
        "want",
        "need",
        "good",
        "best",
        "time",
        "week",
        "weeks",
        "year",
        "them",
        "they",
        "would",
        "could",
        "should",
        "also",
        "even",
        "much",
        "many",
        "some",
        "other",
        "same",
        "each",
        "while",
        "still",
        "over",
        "under",
        "again",
        "once",
        "next",
        "last",
        "keep",
        "start",
        "stop",
        "take",
        "give",
        "look",
        "going",
        "doing",
        "done",
        "being",
        "been",
        "were",
        "will",
        "shall",
        "might",
        "must",
        "than",
        "very",
        "really",
        "actually",
        "everyone",
        "anything",
        "something",
        "nothing",
        "someone",
    ]
)
NUMBERS = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7}
PROMISES = re.compile(
    r"\b(two|three|four|five|six|seven|\d)\s+(?:[\w-]+\s+){0,4}?"
    r"(steps|tips|tricks|ways|mistakes|reasons|rules|things|questions|signs|habits|tools)\b",
    re.I,
)
ENUMERATORS = re.compile(
    r"\b(first|second|third|fourth|fifth|sixth|seventh|one|two|three|four|five|next|finally|last)\b[,:]"
    r"|(?:^|\s)\d[.)]\s",
    re.I,
)
CLAIMS = re.compile(
    r"\bI(?:'ve| have| had)\s+been\b|\bI\s+(?:built|made|tested|tried|lost|learned|spent|knew|"
    r"started|use|used|wish|grew|ran|launched|earned|made)\b|\b(?:went wrong|happened) (?:for|to) me\b|"
    r"\ba (?:year|month|week) ago I\b|\bmy (?:clients|students|customers|followers) (?:told|asked)\b",
    re.I,
)
CALL_TO_ACTION = re.compile(
    r"\b(save|share|follow|comment|tell me|try|send|subscribe|bookmark|check|start|pick|turn on|"
    r"set up|look|read|watch|join|ask|drop|grab|write)\b",
    re.I,
)
FILLER = re.compile(
    r"here is the short version|small steps beat big plans|it compounds|keep going|"
    r"everyone starts somewhere|nobody starts out good|details drop this week|"
    r"the days you do not feel like it|it started as a side project|you are closer than you think|"
    r"progress you can see keeps you going|here is what actually matters",
    re.I,
)


@dataclass
class QualityReport:
    score: float
    checks: dict[str, bool] = field(default_factory=dict)
    issues: list[str] = field(default_factory=list)


def keywords_of(topic: str, tags: list[str]) -> set[str]:
    """The content words a script about ``topic`` should use (stems of 4+ letters, acronyms)."""
    words = re.findall(r"[A-Za-z0-9]+", " ".join([topic, *tags]))
    return {
        w.lower()[:6]
        for w in words
        if w.lower() not in STOPWORDS
        and (len(w) >= 4 or w.isupper() or any(c.isdigit() for c in w))
    }


def sentences_of(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+", text.strip()) if s]


def _mentions(sentence: str, keys: set[str]) -> bool:
    return any(w.lower()[:6] in keys for w in re.findall(r"[A-Za-z0-9]+", sentence))


def broken_text(body: str, topic: str) -> list[str]:
    """Fragments a slot-filling template leaves: mid-word capitals ("aI agents"), doubled
    words, and a lone topic word in a noun's place at a sentence's end ("more replacing.")."""
    found = [m.group(0) for m in re.finditer(r"\b[a-z]+[A-Z]\w*", body)]
    found += [m.group(0) for m in re.finditer(r"\b(\w+) \1\b", body, re.I)]
    inner = [w.lower() for w in re.findall(r"[A-Za-z]+", topic)[1:]]
    for m in re.finditer(r"\b(?:more|less|about|handle|with)\s+([A-Za-z]+)[.!?]", body):
        word = m.group(1).lower()
        if word in STOPWORDS or (word in inner and word.endswith(("ing", "ed"))):
            found.append(m.group(0))
    return found


def assess(
    *,
    body: str,
    hook: str,
    duration_sec: float,
    target_sec: int,
    platform_captions: dict[str, dict[str, object]],
    render_warnings: list[str],
    topic: str = "",
    tags: list[str] | None = None,
    material: list[str] | None = None,
) -> QualityReport:
    """Each failed check costs a fixed share of the score; the issues say which."""
    checks: dict[str, bool] = {}
    issues: list[str] = []

    def check(name: str, ok: bool, issue: str, weight: float) -> float:
        checks[name] = ok
        if not ok:
            issues.append(issue)
            return weight
        return 0.0

    words = word_count(body)
    penalty = 0.0
    penalty += check(
        "script_length",
        20 <= words <= MAX_SCRIPT_WORDS,
        f"script has {words} words (want 20-{MAX_SCRIPT_WORDS})",
        0.2,
    )
    penalty += check(
        "duration",
        5 <= duration_sec <= target_sec,
        f"video is {duration_sec:.1f}s (want 5-{target_sec}s)",
        0.3,
    )
    hook_first = bool(hook) and body.strip().lower().startswith(hook.strip().lower()[:20])
    penalty += check("hook_first", hook_first, "the script does not open with the hook", 0.15)
    found = [p for p in BANNED_PHRASES if p in body.lower()]
    penalty += check("banned_phrases", not found, f"banned phrases: {', '.join(found)}", 0.4)
    over = [
        p
        for p, c in platform_captions.items()
        if len(compose(str(c["caption"]), list(c["hashtags"]))) > limits_for(p).max_chars  # type: ignore[call-overload]
        or len(list(c["hashtags"])) > limits_for(p).max_hashtags  # type: ignore[call-overload]
    ]
    penalty += check(
        "caption_limits", not over, f"captions over the limit on {', '.join(over)}", 0.3
    )
    shouting = len(re.findall(r"\b[A-Z]{4,}\b", body)) > 3
    penalty += check("no_shouting", not shouting, "too many words in capitals", 0.05)
    penalty += check("render_clean", not render_warnings, "; ".join(render_warnings), 0.1)
    if topic:
        penalty += _content_checks(check, body, hook, topic, [*(tags or []), *(material or [])])
    return QualityReport(score=round(max(0.0, 1.0 - penalty), 3), checks=checks, issues=issues)


def _content_checks(check: Any, body: str, hook: str, topic: str, about: list[str]) -> float:
    """``about``: the topic's tags and its source material (the trend's points and summary)."""
    keys = keywords_of(topic, about)
    rest = sentences_of(body)
    if rest and hook and rest[0].lower().startswith(hook.strip().lower()[:20]):
        rest = rest[1:]
    points = rest[:-1] if len(rest) > 1 else rest
    on_topic = [s for s in points if _mentions(s, keys)]
    filler = [
        s
        for s in points
        if FILLER.search(s) or (not _mentions(s, keys) and not re.search(r"\d", s))
    ]
    penalty = 0.0
    penalty += check(
        "on_topic",
        len(on_topic) >= 2,
        f"only {len(on_topic)} sentences after the hook are about {topic}",
        0.25,
    )
    penalty += check(
        "no_filler",
        len(filler) <= max(1, len(points) // 3),
        f"{len(filler)} of {len(points)} sentences are generic filler",
        0.25,
    )
    claims = [m.group(0) for m in CLAIMS.finditer(body)]
    penalty += check(
        "no_invented_claims", not claims, f"invented first-person claims: {', '.join(claims)}", 0.3
    )
    promise = PROMISES.search(hook)
    if promise:
        wanted = NUMBERS.get(promise.group(1).lower()) or int(promise.group(1))
        given = len(ENUMERATORS.findall(" ".join(rest)))
        penalty += check(
            "promise_kept",
            given >= wanted,
            f"the hook promises {wanted} {promise.group(2)} but the script gives {given}",
            0.3,
        )
    broken = broken_text(body, topic)
    penalty += check("no_broken_text", not broken, f"broken text: {', '.join(broken)}", 0.3)
    last = rest[-1] if rest else ""
    penalty += check(
        "call_to_action", bool(CALL_TO_ACTION.search(last)), "no call to action at the end", 0.1
    )
    return penalty


__all__ = ["BANNED_PHRASES", "QualityReport", "assess", "broken_text", "keywords_of"]
