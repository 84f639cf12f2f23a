"""Chroma plumbing under :class:`memory.store.AgentMemoryStore`: the client, a collection
opened with its embedding function checked, filters, paged reads and query results as hits."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import chromadb
from chromadb.api import ClientAPI
from chromadb.api.models.Collection import Collection
from chromadb.api.types import Documents, EmbeddingFunction, QueryResult
from chromadb.config import Settings as ChromaSettings

from memory.compaction import Entry
from memory.metadata import KIND, decode_metadata
from memory.models import MemoryHit

__all__ = [
    "PAGE",
    "MemoryConfigError",
    "chroma_settings",
    "combine_where",
    "connect",
    "open_collection",
    "query_hits",
    "read_entries",
]

PAGE = 1000
"""Rows read or deleted per Chroma call."""


class MemoryConfigError(ValueError):
    """The memory store is misconfigured (bad agent id, mismatched embeddings, ...)."""


def chroma_settings() -> ChromaSettings:
    """Chroma client settings used everywhere: telemetry off."""
    return ChromaSettings(anonymized_telemetry=False)


def connect(*, host: str | None, port: int, path: Path | None) -> ClientAPI:
    """A client of the Chroma server at ``host``, else of the files under ``path``."""
    if host is not None:
        return chromadb.HttpClient(host=host, port=port, settings=chroma_settings())
    assert path is not None
    path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(path), settings=chroma_settings())


def open_collection(
    client: ClientAPI,
    name: str,
    embedding_function: EmbeddingFunction[Documents],
    *,
    agent_id: str,
) -> Collection:
    """The collection ``name`` (created if missing), built with ``embedding_function``.

    Raises:
        MemoryConfigError: if the collection was built with another embedding function, or
            not by Twin Agent.
    """
    try:
        collection = client.get_or_create_collection(
            name,
            embedding_function=embedding_function,  # type: ignore[arg-type]
            configuration={"hnsw": {"space": "cosine"}},
            metadata={"agent_id": agent_id},
        )
    except ValueError as exc:
        if "conflict" not in str(exc).lower():
            raise
        raise MemoryConfigError(
            f"The memory of agent {agent_id} was built with a different "
            f"embedding function than the configured {embedding_function.name()!r}. Configure "
            "the original embedding provider, or delete this agent's memory and "
            "rebuild it."
        ) from None
    stored = (collection.configuration_json or {}).get("embedding_function") or {}
    if stored.get("name") != embedding_function.name():
        raise MemoryConfigError(
            f"Collection {name} has no usable embedding function "
            f"({stored.get('name') or 'none'}); it was not created by Twin Agent. "
            "Delete it or use another agent id."
        )
    return collection


def combine_where(kind: str | None, where: dict[str, Any] | None) -> dict[str, Any] | None:
    """One Chroma filter from a memory kind and a metadata filter (either may be missing)."""
    clauses = [c for c in (({KIND: kind} if kind else None), where) if c]
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}


def query_hits(result: QueryResult) -> list[MemoryHit]:
    """The hits of a one-query Chroma result, best first, scored 1 - cosine distance."""
    hits = []
    documents = (result["documents"] or [[]])[0]
    metadatas = (result["metadatas"] or [[]])[0]
    distances = (result["distances"] or [[]])[0]
    for memory_id, text, meta, distance in zip(
        result["ids"][0], documents, metadatas, distances, strict=True
    ):
        hit_kind, fields = decode_metadata(meta)
        hits.append(
            MemoryHit(
                id=memory_id,
                kind=hit_kind,
                text=text or "",
                metadata=fields,
                score=1.0 - float(distance),
            )
        )
    return hits


def read_entries(
    collection: Collection, where: Mapping[str, Any], *, keep_internal: bool = False
) -> list[Entry]:
    """Every memory matching ``where``, read a page at a time, as compaction entries."""
    entries: list[Entry] = []
    offset = 0
    while True:
        page = collection.get(
            where=dict(where),  # type: ignore[arg-type]
            include=["documents", "metadatas"],  # type: ignore[list-item]
            limit=PAGE,
            offset=offset,
        )
        documents = page["documents"] or []
        metadatas = page["metadatas"] or []
        for memory_id, text, meta in zip(page["ids"], documents, metadatas, strict=True):
            kind, fields = decode_metadata(meta, keep_internal=keep_internal)
            entries.append(Entry(id=memory_id, kind=kind, text=text or "", metadata=fields))
        if len(page["ids"]) < PAGE:
            return entries
        offset += PAGE
