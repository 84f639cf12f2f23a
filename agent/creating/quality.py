"""An explicit, explainable quality score for a reel."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

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


@dataclass
class QualityReport:
    score: float
    checks: dict[str, bool] = field(default_factory=dict)
    issues: list[str] = field(default_factory=list)


def assess(
    *,
    body: str,
    hook: str,
    duration_sec: float,
    target_sec: int,
    platform_captions: dict[str, dict[str, object]],
    render_warnings: list[str],
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
    penalty += check("script_length", 20 <= words <= MAX_SCRIPT_WORDS, f"script has {words} words (want 20-{MAX_SCRIPT_WORDS})", 0.2)
    penalty += check("duration", 5 <= duration_sec <= target_sec, f"video is {duration_sec:.1f}s (want 5-{target_sec}s)", 0.3)
    hook_first = bool(hook) and body.strip().lower().startswith(hook.strip().lower()[:20])
    penalty += check("hook_first", hook_first, "the script does not open with the hook", 0.15)
    found = [p for p in BANNED_PHRASES if p in body.lower()]
    penalty += check("banned_phrases", not found, f"banned phrases: {', '.join(found)}", 0.4)
    over = [
        p for p, c in platform_captions.items()
        if len(compose(str(c["caption"]), list(c["hashtags"]))) > limits_for(p).max_chars  # type: ignore[call-overload]
        or len(list(c["hashtags"])) > limits_for(p).max_hashtags  # type: ignore[call-overload]
    ]
    penalty += check("caption_limits", not over, f"captions over the limit on {', '.join(over)}", 0.3)
    shouting = len(re.findall(r"\b[A-Z]{4,}\b", body)) > 3
    penalty += check("no_shouting", not shouting, "too many words in capitals", 0.05)
    penalty += check("render_clean", not render_warnings, "; ".join(render_warnings), 0.1)
    return QualityReport(score=round(max(0.0, 1.0 - penalty), 3), checks=checks, issues=issues)
