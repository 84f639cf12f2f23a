"""Deterministic wording built from a prompt's salient words and phrases."""

from __future__ import annotations

import random
import re

from agent.llm.offline.grounding import Grounding

__all__ = ["Writer"]

_CONNECTORS = (", ", " and ", " with ", " for ", ", then ")


class Writer:
    """Produces phrases, sentences and slugs from a grounding.

    Successive calls walk through the ranked phrases (starting at a seeded
    offset), so sibling fields and list items get different wording.

    Args:
        grounding: What the prompt is about.
        rng: The seeded random source; the only source of variation.
    """

    def __init__(self, grounding: Grounding, rng: random.Random) -> None:
        self.grounding = grounding
        self.rng = rng
        # Phrases first, then single words, so short prompts still yield distinct values.
        pool = [*grounding.phrases[:24], *grounding.keywords[:24]]
        self._phrases = list(dict.fromkeys(pool))
        self._keywords = list(grounding.keywords[:32])
        self._cursor = rng.randrange(max(1, min(3, len(self._phrases))))
        self._word_cursor = rng.randrange(max(1, min(3, len(self._keywords))))

    def phrase(self, fallback: str = "") -> str:
        """Return the next salient phrase (or ``fallback`` words if the prompt has none).

        Args:
            fallback: Words to use when the prompt has no content words, such as
                the field's own name.

        Returns:
            A short phrase.
        """
        if not self._phrases:
            return _humanize(fallback) or "untitled"
        value = self._phrases[self._cursor % len(self._phrases)]
        self._cursor += 1
        return value

    def keyword(self, fallback: str = "") -> str:
        """Return the next salient single word.

        Args:
            fallback: Used when the prompt has no content words.

        Returns:
            One word.
        """
        if not self._keywords:
            words = _humanize(fallback).split()
            return words[0] if words else "item"
        value = self._keywords[self._word_cursor % len(self._keywords)]
        self._word_cursor += 1
        return value

    def sentence(self, fallback: str = "", max_words: int = 24) -> str:
        """Join a few salient phrases into one sentence.

        Args:
            fallback: Used when the prompt has no content words.
            max_words: Upper bound on the sentence length in words.

        Returns:
            A sentence ending with a full stop.
        """
        parts: list[str] = []
        used: set[str] = set()
        wanted = self.rng.randint(2, 3)
        for _ in range(max(wanted, len(self._phrases))):
            part = self.phrase(fallback)
            words = set(part.lower().split())
            if not words <= used:
                parts.append(part)
                used |= words
            if len(parts) == wanted:
                break
        text = parts[0]
        for part in parts[1:]:
            text += self.rng.choice(_CONNECTORS) + part
        text = " ".join(text.split()[: max(1, max_words)]).rstrip(",")
        return text[:1].upper() + text[1:] + "."

    def paragraph(self, fallback: str = "", sentences: int = 2) -> str:
        """Return a few sentences.

        Args:
            fallback: Used when the prompt has no content words.
            sentences: How many sentences.

        Returns:
            The paragraph.
        """
        if not self._phrases:
            sentences = 1
        return " ".join(self.sentence(fallback) for _ in range(max(1, sentences)))

    def slug(self, fallback: str = "") -> str:
        """Return a lower-case, dash-separated identifier from the next phrase.

        Args:
            fallback: Used when the prompt has no content words.

        Returns:
            A slug such as ``morning-routine``.
        """
        return re.sub(r"[^a-z0-9]+", "-", self.phrase(fallback).lower()).strip("-") or "item"

    def hashtag(self, fallback: str = "") -> str:
        """Return ``#CamelCase`` of the next salient word or two.

        Args:
            fallback: Used when the prompt has no content words.

        Returns:
            A hashtag.
        """
        words = re.findall(r"[A-Za-z0-9]+", self.phrase(fallback))[:2]
        return "#" + "".join(w[:1].upper() + w[1:] for w in words or ["tag"])


def _humanize(name: str) -> str:
    return " ".join(re.findall(r"[A-Za-z][a-z]*|\d+", name.replace("_", " "))).lower()
