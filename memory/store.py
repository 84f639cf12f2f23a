"""Per-agent vector memory on Chroma: add, search, compact.

Each agent gets its own persistent Chroma directory (``<data_dir>/memory/<agent_id>``)
or, in server mode, its own collection on a Chroma server. The collection stores the
name and config of its embedding function, so reopening it rebuilds the same one.
Chroma's own default embedding function (which downloads a model) is never used.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from chromadb.api import ClientAPI
from chromadb.api.models.Collection import Collection
from chromadb.api.types import Documents, EmbeddingFunction

from memory.chroma import (
    PAGE,
    MemoryConfigError,
    chroma_settings,
    combine_where,
    connect,
    open_collection,
    query_hits,
    read_entries,
)
from memory.compaction import plan_compaction
from memory.embeddings import (
    DEFAULT_API_KEY_ENV_VAR,
    LocalMiniLMEmbeddingFunction,
    build_embedding_function,
)
from memory.lexical import LexicalEmbeddingFunction, adopt_lexical_memories
from memory.metadata import (
    CREATED_AT,
    KIND,
    decode_metadata,
    derive_memory_id,
    encode_metadata,
)
from memory.models import (
    KIND_POST_OUTCOME,
    KIND_SUMMARY,
    CompactionReport,
    MemoryHit,
    MemoryRecord,
    RetentionPolicy,
)

__all__ = ["AgentMemoryStore", "MemoryConfigError", "MemorySettings", "chroma_settings"]

_AGENT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$")
_LAST_COMPACTION = "last_compaction_at"


class MemorySettings(Protocol):
    """The settings fields the store reads (``agent.settings.Settings`` has them)."""

    data_dir: Path
    chroma_host: str | None
    chroma_port: int


def _utc_now() -> datetime:
    return datetime.now(UTC)


class AgentMemoryStore:
    """Vector memory of one agent."""

    def __init__(
        self,
        agent_id: str,
        *,
        data_dir: Path | None = None,
        host: str | None = None,
        port: int = 8000,
        embedding_function: EmbeddingFunction[Documents] | None = None,
        client: ClientAPI | None = None,
        clock: Callable[[], datetime] = _utc_now,
    ) -> None:
        """Open (lazily) the agent's collection.

        Args:
            agent_id: The agent's id (letters, digits, ``-``, ``_``).
            data_dir: Data directory; memory lives in ``<data_dir>/memory/<agent_id>``.
            host: Chroma server host; when set, the server is used instead of files.
            port: Chroma server port.
            embedding_function: Embeddings for new collections and queries; defaults
                to the local MiniLM. It must match the one the collection was
                created with.
            client: An existing Chroma client to use instead of ``data_dir``/``host``.
            clock: Returns the current aware time (injected for simulations).

        Raises:
            MemoryConfigError: If the agent id is invalid or no location is given.
        """
        if not _AGENT_ID.match(agent_id):
            raise MemoryConfigError(
                f"Agent id {agent_id!r} cannot name a memory collection; use letters, "
                "digits, '-' and '_' (at most 100 characters)."
            )
        if client is None and host is None and data_dir is None:
            raise MemoryConfigError(
                "Give the memory store a data_dir (local files) or a host (Chroma server)."
            )
        self.agent_id = agent_id
        self._ef: EmbeddingFunction[Documents] = (
            embedding_function or LocalMiniLMEmbeddingFunction()
        )
        self._base_name = f"twin-memory-{agent_id}"
        lexical = self._ef.name() == LexicalEmbeddingFunction.name()
        self.collection_name = f"{self._base_name}-lexical" if lexical else self._base_name
        self.path = None if (client or host) else Path(data_dir or ".") / "memory" / agent_id
        self._host, self._port = host, port
        self._client = client
        self._clock = clock
        self._collection: Collection | None = None

    @classmethod
    def from_settings(
        cls,
        settings: MemorySettings,
        agent_id: str,
        *,
        embedding_function: EmbeddingFunction[Documents] | None = None,
        clock: Callable[[], datetime] = _utc_now,
    ) -> AgentMemoryStore:
        """Build from app settings: a Chroma server if ``chroma_host`` is set, else files.

        Embeddings come from ``embedding_function`` if given, else from the optional
        settings fields ``embeddings_provider`` (``local``/``openai``),
        ``embeddings_base_url``, ``embeddings_model``, ``embeddings_api_key_env_var``
        and ``embeddings_dimensions``; without them the local MiniLM is used.
        """
        if embedding_function is None:
            embedding_function = build_embedding_function(
                getattr(settings, "embeddings_provider", None) or "local",
                base_url=getattr(settings, "embeddings_base_url", None),
                model=getattr(settings, "embeddings_model", None),
                api_key_env_var=getattr(settings, "embeddings_api_key_env_var", None)
                or DEFAULT_API_KEY_ENV_VAR,
                dimensions=getattr(settings, "embeddings_dimensions", None),
            )
        return cls(
            agent_id,
            data_dir=settings.data_dir,
            host=settings.chroma_host,
            port=settings.chroma_port,
            embedding_function=embedding_function,
            clock=clock,
        )

    # -- connection -------------------------------------------------------------------

    def _chroma(self) -> ClientAPI:
        if self._client is None:
            self._client = connect(host=self._host, port=self._port, path=self.path)
        return self._client

    @property
    def collection(self) -> Collection:
        """The agent's Chroma collection (created on first use)."""
        if self._collection is None:
            self._collection = open_collection(
                self._chroma(), self.collection_name, self._ef, agent_id=self.agent_id
            )
            if self.collection_name == self._base_name:
                lexical_name = f"{self._base_name}-lexical"
                adopt_lexical_memories(self._chroma(), lexical_name, self._collection)
        return self._collection

    @property
    def embedding_function(self) -> EmbeddingFunction[Documents]:
        """The embedding function used for documents and queries."""
        return self._ef

    def embed(self, texts: Sequence[str]) -> list[np.ndarray]:
        """One vector per text, from the collection's embedding model."""
        if not texts:
            return []
        return [np.asarray(v, dtype=np.float32) for v in self._ef(list(texts))]

    # -- writing ----------------------------------------------------------------------

    def add(
        self, *, kind: str, text: str, metadata: dict[str, Any], memory_id: str | None = None
    ) -> str:
        """Add or replace one memory (upsert by id, so re-adding is idempotent).

        Args:
            kind: ``post_outcome``, ``insight``, ``feedback``, ``directive`` or another
                lowercase identifier.
            text: What is embedded and searched.
            metadata: Extra fields (e.g. topic, twin_id, platform, engagement_score,
                created_at). Lists and dicts are stored JSON-encoded.
            memory_id: Stable id; derived from the content when omitted.

        Returns:
            The memory's id.
        """
        record = MemoryRecord(kind=kind, text=text, metadata=metadata, memory_id=memory_id)
        return self.add_many([record])[0]

    def add_many(
        self, records: Sequence[MemoryRecord], *, embeddings: np.ndarray | None = None
    ) -> list[str]:
        """Upsert many memories in batches.

        Args:
            records: The memories. If an id repeats, the last record wins.
            embeddings: Precomputed vectors, one row per record, from the same
                embedding model as the collection; computed when omitted.

        Returns:
            The ids, in input order.
        """
        if embeddings is not None and len(embeddings) != len(records):
            raise ValueError(f"Got {len(embeddings)} embeddings for {len(records)} records.")
        ids = [r.memory_id or derive_memory_id(r.kind, r.text, r.metadata) for r in records]
        last = {memory_id: i for i, memory_id in enumerate(ids)}
        order = sorted(last.values())
        batch_size = min(self._chroma().get_max_batch_size(), 4096)
        now = self._clock()
        for start in range(0, len(order), batch_size):
            chunk = order[start : start + batch_size]
            batch_ids = [ids[i] for i in chunk]
            kept_times = self._existing_times(batch_ids)
            metadatas = []
            for i in chunk:
                record = records[i]
                meta = dict(record.metadata)
                if CREATED_AT not in meta and ids[i] in kept_times:
                    meta[CREATED_AT] = kept_times[ids[i]]
                metadatas.append(encode_metadata(meta, kind=record.kind, created_at=now))
            self.collection.upsert(
                ids=batch_ids,
                documents=[records[i].text for i in chunk],
                metadatas=metadatas,  # type: ignore[arg-type]
                embeddings=None if embeddings is None else embeddings[chunk],
            )
        return ids

    def _existing_times(self, ids: list[str]) -> dict[str, str]:
        """Times of memories that already exist, so an upsert keeps their age."""
        found = self.collection.get(ids=ids, include=["metadatas"])  # type: ignore[list-item]
        return {
            memory_id: str(meta[CREATED_AT])
            for memory_id, meta in zip(found["ids"], found["metadatas"] or [], strict=False)
            if meta and CREATED_AT in meta
        }

    def delete_all(self) -> None:
        """Delete every memory of this agent, including compaction history."""
        client = self._chroma()
        if any(c.name == self.collection_name for c in client.list_collections()):
            client.delete_collection(self.collection_name)
        self._collection = None

    # -- reading ----------------------------------------------------------------------

    def search(
        self,
        query: str,
        *,
        k: int = 5,
        kind: str | None = None,
        where: dict[str, Any] | None = None,
    ) -> list[MemoryHit]:
        """Memories closest in meaning to ``query``, best first.

        Args:
            query: Natural-language query.
            k: At most this many hits.
            kind: Only memories of this kind.
            where: A Chroma metadata filter, e.g. ``{"platform": "tiktok"}`` or
                ``{"engagement_score": {"$gte": 0.05}}``; ``created_ts`` holds each
                memory's time in POSIX seconds for range filters.
        """
        vector = np.asarray(self._ef.embed_query([query])[0], dtype=np.float32)
        return self.search_vector(vector, k=k, kind=kind, where=where)

    def search_vector(
        self,
        embedding: np.ndarray,
        *,
        k: int = 5,
        kind: str | None = None,
        where: dict[str, Any] | None = None,
    ) -> list[MemoryHit]:
        """Like :meth:`search`, for an already embedded query."""
        if k < 1:
            raise ValueError("k must be at least 1.")
        size = self.collection.count()
        if size == 0:
            return []
        result = self.collection.query(
            query_embeddings=[np.asarray(embedding, dtype=np.float32).tolist()],
            n_results=min(k, size),
            where=combine_where(kind, where),  # type: ignore[arg-type]
            include=["documents", "metadatas", "distances"],  # type: ignore[list-item]
        )
        return query_hits(result)

    def similar_topics(self, topic: str, k: int = 5) -> list[MemoryHit]:
        """Outcomes of past posts whose topic is closest to ``topic``."""
        return self.search(topic, k=k, kind=KIND_POST_OUTCOME)

    def get(self, memory_id: str) -> MemoryHit | None:
        """One memory by id (score 1.0), or None."""
        found = self.collection.get(ids=[memory_id], include=["documents", "metadatas"])  # type: ignore[list-item]
        if not found["ids"]:
            return None
        kind, fields = decode_metadata((found["metadatas"] or [{}])[0])
        text = (found["documents"] or [""])[0] or ""
        return MemoryHit(id=memory_id, kind=kind, text=text, metadata=fields, score=1.0)

    def count(self) -> int:
        """Number of stored memories (summaries included)."""
        return self.collection.count()

    def stats(self) -> dict[str, Any]:
        """Index statistics as in the ``Agent_Memory.index_stats_json`` column.

        Returns:
            ``dims`` (None while empty), ``size``, ``last_compaction_at`` (ISO or None),
            ``embedding_function`` and ``space``.
        """
        sample = self.collection.get(limit=1, include=["embeddings"])  # type: ignore[list-item]
        vectors = sample["embeddings"]
        dims = len(vectors[0]) if vectors is not None and len(vectors) else None
        meta = self.collection.metadata or {}
        return {
            "dims": dims,
            "size": self.collection.count(),
            "last_compaction_at": meta.get(_LAST_COMPACTION),
            "embedding_function": self._ef.name(),
            "space": "cosine",
        }

    # -- compaction -------------------------------------------------------------------

    def compact(self, policy: RetentionPolicy | None = None) -> CompactionReport:
        """Keep the top-K relevant memories per group; fold the rest into summaries.

        Safe to run again after an interruption: summaries record which ids they
        folded in, so a retried pass deletes those without counting them twice.

        Args:
            policy: Retention policy; defaults to ``RetentionPolicy()``.
        """
        policy = policy or RetentionPolicy()
        now = self._clock()
        entries = read_entries(self.collection, {KIND: {"$in": list(policy.kinds)}})
        summaries = {
            e.id: e for e in read_entries(self.collection, {KIND: KIND_SUMMARY}, keep_internal=True)
        }
        plan = plan_compaction(entries, policy, now=now, existing_summaries=summaries)
        if plan.summaries:
            self.collection.upsert(
                ids=[s.id for s in plan.summaries],
                documents=[s.text for s in plan.summaries],
                metadatas=[s.metadata for s in plan.summaries],  # type: ignore[misc]
            )
        for start in range(0, len(plan.delete_ids), PAGE):
            self.collection.delete(ids=plan.delete_ids[start : start + PAGE])
        meta = dict(self.collection.metadata or {})
        meta[_LAST_COMPACTION] = now.isoformat()
        self.collection.modify(metadata=meta)
        return CompactionReport(
            compacted_at=now,
            groups=plan.groups,
            kept=plan.kept,
            compacted=len(plan.delete_ids),
            summaries_written=len(plan.summaries),
        )
