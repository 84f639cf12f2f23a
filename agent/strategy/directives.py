"""The creator's directives, parsed from plain words and applied over learned preferences."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from agent.strategy.dimensions import TONES, WEEKDAYS

DAY_NAMES = {
    "monday": 0,
    "tuesday": 1,
    "wednesday": 2,
    "thursday": 3,
    "friday": 4,
    "saturday": 5,
    "sunday": 6,
    "mondays": 0,
    "tuesdays": 1,
    "wednesdays": 2,
    "thursdays": 3,
    "fridays": 4,
    "saturdays": 5,
    "sundays": 6,
}
PLATFORM_WORDS = {
    "instagram": "instagram",
    "ig": "instagram",
    "tiktok": "tiktok",
    "youtube": "youtube_shorts",
    "shorts": "youtube_shorts",
    "linkedin": "linkedin",
    "facebook": "facebook",
    "threads": "threads",
    "sandbox": "sandbox",
}


@dataclass
class DirectiveSet:
    """Active directives in a form planning can apply."""

    more_topics: list[str] = field(default_factory=list)
    less_topics: list[str] = field(default_factory=list)
    avoid_weekdays: set[int] = field(default_factory=set)
    twin_for_platform: dict[str, str] = field(default_factory=dict)
    tone_for_platform: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def as_inputs(self) -> dict[str, Any]:
        return {
            "more_of": self.more_topics,
            "less_of": self.less_topics,
            "no_posts_on": [WEEKDAYS[d] for d in sorted(self.avoid_weekdays)],
            "twin_for_platform": self.twin_for_platform,
            "tone_for_platform": self.tone_for_platform,
            "notes": self.notes,
        }

    def is_reduced(self, topic: str) -> bool:
        """Whether a "less X" directive covers ``topic``."""
        return any(mentions(topic, phrase) for phrase in self.less_topics)

    def wants(self, topic: str) -> bool:
        """Whether a "more X" directive asks for ``topic``."""
        return any(mentions(topic, phrase) for phrase in self.more_topics)


def mentions(topic: str, phrase: str) -> bool:
    """Whether ``topic`` is what ``phrase`` talks about: its first two content words occur in it."""
    low = topic.lower()
    words = [w for w in re.findall(r"[a-z0-9]+", phrase.lower()) if len(w) > 2]
    return bool(words) and all(w in low for w in words[:2])


def build_directive_set(rows: list[tuple[str, dict[str, Any], str]]) -> DirectiveSet:
    """From (kind, value_json, text) rows of active directives."""
    result = DirectiveSet()
    for kind, value, text in rows:
        if kind == "more_topic":
            result.more_topics.append(str(value.get("topic", text)))
        elif kind == "less_topic":
            result.less_topics.append(str(value.get("topic", text)))
        elif kind == "avoid_weekday":
            result.avoid_weekdays.add(int(value["weekday"]))
        elif kind == "twin_for_platform":
            result.twin_for_platform[str(value["platform"])] = str(value["twin"])
        elif kind == "tone_for_platform":
            result.tone_for_platform[str(value["platform"])] = str(value["tone"])
        else:
            result.notes.append(text)
    return result


def parse_directive(text: str, *, twin_names: list[str]) -> list[tuple[str, dict[str, Any]]]:
    """Turn a creator's sentence into one or more (kind, value) directives.

    Understands: "more X", "less X" (also "fewer", "no more", "stop"), "nothing on Sundays",
    "no posts on Friday", "use the Goddess twin on Instagram", "be more thought_leadership on
    LinkedIn". Anything else is kept as a note for the model.
    """
    found: list[tuple[str, dict[str, Any]]] = []
    low = text.lower().strip()
    for clause in re.split(r"[,;]| and (?=(?:more|less|fewer|no|nothing|use|stop)\b)", low):
        clause = clause.strip(" .!")
        if not clause:
            continue
        day = next((DAY_NAMES[w] for w in re.findall(r"[a-z]+", clause) if w in DAY_NAMES), None)
        if day is not None and re.search(r"\b(nothing|no posts?|don't post|skip|never)\b", clause):
            found.append(("avoid_weekday", {"weekday": day}))
            continue
        twin = next((t for t in twin_names if t.lower().split()[0] in clause), None)
        platform = next(
            (p for w, p in PLATFORM_WORDS.items() if re.search(rf"\b{w}\b", clause)), None
        )
        if twin and platform and "use" in clause:
            found.append(("twin_for_platform", {"platform": platform, "twin": twin}))
            continue
        tone = next(
            (t for t in TONES if t.replace("_", " ") in clause or t in clause),
            None,
        )
        if tone and platform:
            found.append(("tone_for_platform", {"platform": platform, "tone": tone}))
            continue
        m = re.match(
            r"^(?:please\s+)?(?:more|lots more|do more)\s+(?:of\s+|on\s+|about\s+)?(.+)$", clause
        )
        if m:
            found.append(("more_topic", {"topic": m.group(1).strip()}))
            continue
        m = re.match(
            r"^(?:please\s+)?(?:less|fewer|no more|stop|avoid|no)\s+(?:of\s+|on\s+|about\s+|posting about\s+)?(.+)$",
            clause,
        )
        if m:
            found.append(("less_topic", {"topic": m.group(1).strip()}))
            continue
        found.append(("note", {"text": clause}))
    return found


__all__ = ["DirectiveSet", "build_directive_set", "mentions", "parse_directive"]
