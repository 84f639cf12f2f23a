"""Salient words, phrases and ``key: value`` facts pulled from a prompt.

The offline model and the local OpenAI-compatible test server build their
answers from this, so generated text talks about what the prompt talks about.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

__all__ = ["Grounding", "normalize_key"]

_WORD = re.compile(r"[A-Za-z][A-Za-z0-9'’-]*[A-Za-z0-9]|[A-Za-z]")
_KEY_VALUE = re.compile(r"^\s*[-*]?\s*([A-Za-z][A-Za-z0-9 _-]{0,40}?)\s*[:=]\s*(\S.*?)\s*$")
_MAX_PHRASE_WORDS = 4

# Function words and the vocabulary of instructions ("return JSON", "you are"),
# which say nothing about the subject of the request.
_STOPWORDS = frozenset(
    """
    a about above after again against all also am an and any are aren't as at be because
    been before being below between both but by can can't cannot could couldn't did didn't
    do does doesn't doing don't down during each few for from further had hadn't has hasn't
    have haven't having he her here hers herself him himself his how i if in into is isn't
    it it's its itself just let let's me more most must my myself no nor not now of off on
    once only or other ought our ours ourselves out over own same shall she should shouldn't
    so some such than that that's the their theirs them themselves then there there's these
    they they're this those through to too under until up upon us very was wasn't we we're
    were weren't what what's when where which while who whom why will with won't would
    wouldn't you you're your yours yourself yourselves answer answers assistant based
    according following follow given give json schema format field fields object output
    return returns reply respond response please using use make write create generate
    provide list value values include includes including exactly must should need needs want
    wants task tasks prompt model tool tools call below above item items each one two three
    per within without less more least tell show help think know like get got going really
    thing things something
    """.split()  # noqa: SIM905
)


def normalize_key(name: str) -> str:
    """Normalize a field or key name for matching (``Topic Name`` == ``topic_name``).

    Args:
        name: A field name or a key written in a prompt.

    Returns:
        The lower-case name with separators collapsed to underscores.
    """
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")


@dataclass(frozen=True)
class Grounding:
    """What a prompt is about, ranked by salience.

    Attributes:
        keywords: Content words, most salient first (original spelling).
        phrases: Runs of up to four content words, most salient first.
        facts: ``key: value`` lines found in the prompt, keyed by normalized key;
            later (more recent) lines win.
        text: The whole prompt text, lower-cased, for membership tests.
    """

    keywords: tuple[str, ...]
    phrases: tuple[str, ...]
    facts: dict[str, str] = field(default_factory=dict)
    text: str = ""

    @classmethod
    def from_texts(cls, texts: Iterable[tuple[str, float]]) -> Grounding:
        """Rank words and phrases over weighted texts.

        Args:
            texts: ``(text, weight)`` pairs; a heavier text (say, the latest user
                message) contributes more to salience than a lighter one.

        Returns:
            The grounding of all texts together.
        """
        word_score: defaultdict[str, float] = defaultdict(float)
        spelling: dict[str, str] = {}
        first_seen: dict[str, int] = {}
        phrase_score: defaultdict[str, float] = defaultdict(float)
        facts: dict[str, str] = {}
        lowered: list[str] = []
        order = 0
        for text, weight in texts:
            lowered.append(text.lower())
            for line in text.splitlines():
                match = _KEY_VALUE.match(line)
                if match:
                    facts[normalize_key(match.group(1))] = match.group(2).strip(" \"'")
            for sentence in re.split(r"[.!?;:,()\[\]{}\n\"]+", text):
                run: list[str] = []
                for word in _WORD.findall(sentence):
                    key = word.lower().replace("’", "'")
                    if key in _STOPWORDS or len(key) < 3 or key.isdigit():
                        _add_phrase(phrase_score, run, weight)
                        run = []
                        continue
                    word_score[key] += weight
                    spelling.setdefault(key, word)
                    if key not in first_seen:
                        first_seen[key] = order
                        order += 1
                    run.append(word)
                _add_phrase(phrase_score, run, weight)
        keywords = sorted(word_score, key=lambda k: (-word_score[k], first_seen[k]))
        phrases = _distinct(sorted(phrase_score, key=lambda p: (-phrase_score[p], p)))
        return cls(
            keywords=tuple(spelling[k] for k in keywords),
            phrases=tuple(phrases),
            facts=facts,
            text="\n".join(lowered),
        )

    @classmethod
    def from_text(cls, text: str) -> Grounding:
        """Ground a single text.

        Args:
            text: The prompt text.

        Returns:
            Its grounding.
        """
        return cls.from_texts([(text, 1.0)])

    def fact(self, name: str) -> str | None:
        """Return the value written as ``name: value`` in the prompt, if any.

        Args:
            name: A field name (any case or separator style).

        Returns:
            The value, or None when the prompt has no such line.
        """
        return self.facts.get(normalize_key(name))

    def without(self, words: Iterable[str]) -> Grounding:
        """Return this grounding with some words removed from keywords and phrases.

        Used so a tool's arguments are not filled with the words of its own name
        (``list_posts`` asked to "list my posts on tiktok" should get "tiktok").

        Args:
            words: Words to drop (case-insensitive; a trailing "s" is ignored).

        Returns:
            The reduced grounding; unchanged when nothing would be left.
        """
        drop = {w.lower().rstrip("s") for w in words}

        def keep(word: str) -> bool:
            return word.lower().rstrip("s") not in drop

        keywords = tuple(k for k in self.keywords if keep(k))
        if not keywords:
            return self
        reduced = (" ".join(w for w in p.split() if keep(w)) for p in self.phrases)
        ordered = tuple(p for p in dict.fromkeys(reduced) if p)
        return Grounding(keywords, ordered, dict(self.facts), self.text)

    def mentions(self, value: str) -> int:
        """Count how often ``value`` occurs (case-insensitively) in the prompt.

        Args:
            value: A word or phrase.

        Returns:
            The number of occurrences.
        """
        needle = value.lower().strip()
        return self.text.count(needle) if needle else 0


def _add_phrase(scores: defaultdict[str, float], run: list[str], weight: float) -> None:
    """Score every 2..4-word window of a run of content words."""
    if not run:
        return
    if len(run) == 1:
        scores[run[0]] += weight * 0.5
        return
    for size in range(2, min(_MAX_PHRASE_WORDS, len(run)) + 1):
        for start in range(len(run) - size + 1):
            scores[" ".join(run[start : start + size])] += weight * (1 + 0.1 * size)


def _distinct(phrases: list[str]) -> list[str]:
    """Drop phrases whose words all belong to a better-ranked phrase."""
    kept: list[str] = []
    kept_words: list[set[str]] = []
    for phrase in phrases:
        words = set(phrase.lower().split())
        if any(words <= other for other in kept_words):
            continue
        kept.append(phrase)
        kept_words.append(words)
    return kept
