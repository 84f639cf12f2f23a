"""Choosing the creator's own B-roll for a script: tags first, local embeddings second."""

from __future__ import annotations

import math
import re
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from db.enums import AssetType
from db.repo.assets import ROLE_BROLL, list_media_assets

Embed = Callable[[list[str]], Sequence[Sequence[float]]]
"""Texts -> vectors (e.g. :func:`minilm_embed`)."""

_WORD = re.compile(r"[\w']+")


class BrollCandidate(BaseModel):
    """One B-roll file the creator added."""

    asset_id: str
    path: Path
    kind: Literal["photo", "video"]
    tags: list[str] = Field(default_factory=list)
    description: str = ""
    duration_ms: int | None = None


class BrollPick(BaseModel):
    """A chosen file and why."""

    candidate: BrollCandidate
    score: float
    """Tags matched (1 each), or the embedding similarity (below 1) when no tag matched."""
    matched: list[str] = Field(default_factory=list)


def _stem(word: str) -> str:
    word = word.lower().strip("'")
    if len(word) <= 3:
        return word
    if word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith(("ses", "xes", "zes", "ches", "shes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def _words(text: str) -> list[str]:
    return [_stem(w) for w in _WORD.findall(text)]


def _cosine(a: Sequence[float], b: Sequence[float]) -> float:
    dot = sum(x * y for x, y in zip(a, b, strict=True))
    norm = math.sqrt(sum(x * x for x in a)) * math.sqrt(sum(y * y for y in b))
    return dot / norm if norm else 0.0


def pick_broll(
    script_text: str,
    candidates: Sequence[BrollCandidate],
    *,
    limit: int = 3,
    embed: Embed | None = None,
    min_similarity: float = 0.3,
) -> list[BrollPick]:
    """The files that fit a script best, at most ``limit``, best first.

    A tag matches when all of its words appear in the script (plurals folded: "cats"
    matches "cat"); a file scores one per matched tag. Without any tag match, and with
    ``embed`` given, a file scores the cosine similarity between the script and its tags
    plus description, if at least ``min_similarity``. Ties go to the file with fewer tags
    (the more specific), then to the asset id, so the choice is repeatable.

    Args:
        script_text: The script's title and body.
        candidates: The creator's B-roll.
        limit: How many to return.
        embed: Optional text embedding function for files whose tags do not match.
        min_similarity: Lowest similarity an embedding match needs.
    """
    words = set(_words(script_text))
    picks: list[BrollPick] = []
    unmatched: list[BrollCandidate] = []
    for candidate in candidates:
        matched = [t for t in candidate.tags if (tw := _words(t)) and set(tw) <= words]
        if matched:
            picks.append(BrollPick(candidate=candidate, score=float(len(matched)), matched=matched))
        else:
            unmatched.append(candidate)
    if embed is not None and unmatched and script_text.strip():
        texts = [script_text] + [
            " ".join([*c.tags, c.description]).strip() or c.path.stem for c in unmatched
        ]
        vectors = embed(texts)
        for candidate, vector in zip(unmatched, vectors[1:], strict=True):
            similarity = _cosine(vectors[0], vector)
            if similarity >= min_similarity:
                picks.append(BrollPick(candidate=candidate, score=round(similarity, 4)))
    picks.sort(key=lambda p: (-p.score, len(p.candidate.tags), p.candidate.asset_id))
    return picks[: max(limit, 0)]


def broll_candidates(
    *, session: Session, user_id: uuid.UUID, twin_id: uuid.UUID | None = None
) -> list[BrollCandidate]:
    """The user's B-roll whose files exist: shared files and, with ``twin_id``, that twin's."""
    out = []
    for asset in list_media_assets(session=session, user_id=user_id, role=ROLE_BROLL):
        if asset.ai_twin_id is not None and asset.ai_twin_id != twin_id:
            continue
        path = Path(asset.uri)
        if not path.is_file():
            continue
        out.append(
            BrollCandidate(
                asset_id=str(asset.id),
                path=path,
                kind="photo" if asset.type == AssetType.raw_photo else "video",
                tags=list(asset.tags),
                description=str((asset.metadata_json or {}).get("description", "")),
                duration_ms=asset.duration_ms,
            )
        )
    return out


def minilm_embed() -> Embed:
    """The bundled all-MiniLM-L6-v2, run locally (nothing is downloaded)."""
    from memory.embeddings import LocalMiniLMEmbeddingFunction

    function = LocalMiniLMEmbeddingFunction()

    def embed(texts: list[str]) -> Sequence[Sequence[float]]:
        return [list(map(float, v)) for v in function(texts)]

    return embed
