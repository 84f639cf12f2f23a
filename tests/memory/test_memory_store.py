"""AgentMemoryStore on a real persistent Chroma (and a real Chroma server)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import chromadb
import httpx
import pytest
from chromadb.api.client import SharedSystemClient

from memory import (
    AgentMemoryStore,
    LocalMiniLMEmbeddingFunction,
    MemoryConfigError,
    OpenAICompatibleEmbeddingFunction,
    chroma_settings,
)

REPO = Path(__file__).resolve().parents[2]


def seed(store: AgentMemoryStore) -> dict[str, str]:
    return {
        "morning": store.add(
            kind="post_outcome",
            text="A reel on morning routines for founders reached 40k views",
            metadata={"topic": "morning routine", "platform": "tiktok", "engagement_score": 0.09},
        ),
        "pasta": store.add(
            kind="post_outcome",
            text="Quick pasta recipe video got few likes on LinkedIn",
            metadata={"topic": "cooking", "platform": "linkedin", "engagement_score": 0.01},
        ),
        "insight": store.add(
            kind="insight",
            text="Productivity content performs best before 9am",
            metadata={"topic": "morning routine"},
        ),
        "directive": store.add(
            kind="directive", text="Do not make videos about politics", metadata={}
        ),
    }


def test_search_ranks_by_meaning(store: AgentMemoryStore) -> None:
    ids = seed(store)
    hits = store.search("how should entrepreneurs start their day", k=4)
    assert [h.id for h in hits[:2]] == [ids["morning"], ids["insight"]] or [
        h.id for h in hits[:2]
    ] == [ids["insight"], ids["morning"]]
    assert hits[0].score > hits[-1].score
    assert all(-1.0 <= h.score <= 1.0 for h in hits)
    food = store.search("cooking and recipes", k=1)[0]
    assert food.id == ids["pasta"]
    assert food.kind == "post_outcome"
    assert food.metadata["platform"] == "linkedin"


def test_kind_and_where_filters(store: AgentMemoryStore) -> None:
    ids = seed(store)
    hits = store.search("morning productivity", k=5, kind="insight")
    assert [h.id for h in hits] == [ids["insight"]]
    tiktok = store.search("anything", k=5, where={"platform": "tiktok"})
    assert [h.id for h in tiktok] == [ids["morning"]]
    strong = store.search(
        "video", k=5, kind="post_outcome", where={"engagement_score": {"$gt": 0.05}}
    )
    assert [h.id for h in strong] == [ids["morning"]]
    outcomes = store.similar_topics("breakfast habits of CEOs", k=5)
    assert {h.kind for h in outcomes} == {"post_outcome"}
    assert outcomes[0].id == ids["morning"]


def test_readding_is_an_idempotent_upsert(store: AgentMemoryStore, clock: Any) -> None:
    first = store.add(kind="feedback", text="Creator disliked the intro music", metadata={"r": 1})
    created = store.get(first)
    assert created is not None
    clock.advance(days=3)
    again = store.add(kind="feedback", text="Creator disliked the intro music", metadata={"r": 1})
    assert again == first
    assert store.count() == 1
    # Re-adding keeps the memory's original time, so its age does not reset.
    assert store.get(first).metadata["created_at"] == created.metadata["created_at"]  # type: ignore[union-attr]

    store.add(kind="feedback", text="Updated text", metadata={"r": 2}, memory_id="fb-1")
    store.add(kind="feedback", text="Updated again", metadata={"r": 3}, memory_id="fb-1")
    assert store.count() == 2
    hit = store.get("fb-1")
    assert hit is not None and hit.text == "Updated again" and hit.metadata["r"] == 3


def test_metadata_round_trips_through_chroma_scalars(store: AgentMemoryStore) -> None:
    posted = datetime(2025, 2, 10, 18, 30, tzinfo=UTC)
    memory_id = store.add(
        kind="post_outcome",
        text="Travel vlog",
        metadata={
            "tags": ["travel", "budget"],
            "metrics": {"views": 1200, "likes": 80},
            "created_at": posted,
            "posted_on": posted.date(),
            "is_series": True,
            "note": None,
        },
    )
    hit = store.get(memory_id)
    assert hit is not None
    assert hit.metadata["tags"] == ["travel", "budget"]
    assert hit.metadata["metrics"] == {"likes": 80, "views": 1200}
    assert hit.metadata["created_at"] == posted.isoformat()
    assert hit.metadata["posted_on"] == "2025-02-10"
    assert hit.metadata["is_series"] is True
    assert "note" not in hit.metadata
    raw = store.collection.get(ids=[memory_id])["metadatas"][0]  # type: ignore[index]
    assert all(isinstance(v, str | int | float | bool) for v in raw.values())
    recent = store.search("trip", where={"created_ts": {"$gte": posted.timestamp()}})
    assert [h.id for h in recent] == [memory_id]


def test_bad_input_gets_clear_errors(make_store: Callable[..., AgentMemoryStore]) -> None:
    with pytest.raises(MemoryConfigError, match="letters, digits"):
        make_store("../etc")
    store = make_store()
    with pytest.raises(ValueError, match="reserved"):
        store.add(kind="insight", text="x", metadata={"kind": "other"})
    with pytest.raises(ValueError, match="lowercase"):
        store.add(kind="Post Outcome", text="x", metadata={})
    with pytest.raises(TypeError, match="type object"):
        store.add(kind="insight", text="x", metadata={"thing": object()})
    with pytest.raises(ValueError, match="finite"):
        store.add(kind="insight", text="x", metadata={"score": float("nan")})


def test_stats_and_delete_all(store: AgentMemoryStore) -> None:
    assert store.stats()["dims"] is None
    seed(store)
    stats = store.stats()
    assert stats["dims"] == 384 and stats["size"] == 4
    assert stats["last_compaction_at"] is None
    assert stats["embedding_function"] == "twin-minilm-l6-v2"
    store.delete_all()
    assert store.count() == 0
    assert store.search("morning") == []


def test_each_agent_has_its_own_directory(
    make_store: Callable[..., AgentMemoryStore], tmp_path: Path
) -> None:
    a, b = make_store("agent-a"), make_store("agent-b")
    a.add(kind="insight", text="only in a", metadata={})
    assert (b.count(), a.count()) == (0, 1)
    assert (tmp_path / "data" / "memory" / "agent-a").is_dir()
    assert (tmp_path / "data" / "memory" / "agent-b").is_dir()


def test_reopened_collection_rebuilds_its_function_by_name(
    make_store: Callable[..., AgentMemoryStore],
) -> None:
    store = make_store()
    ids = seed(store)
    path = str(store.path)
    SharedSystemClient.clear_system_cache()

    client = chromadb.PersistentClient(path=path, settings=chroma_settings())
    collection = client.get_collection(store.collection_name)  # no function passed
    rebuilt = collection.configuration["embedding_function"]
    assert isinstance(rebuilt, LocalMiniLMEmbeddingFunction)
    result = collection.query(query_texts=["pasta dishes"], n_results=1)
    assert result["ids"] == [[ids["pasta"]]]

    # A store over the same directory keeps working and sees the same memories.
    assert make_store().search("pasta dishes", k=1)[0].id == ids["pasta"]


def test_mismatched_embedding_function_is_refused(
    make_store: Callable[..., AgentMemoryStore],
) -> None:
    make_store().add(kind="insight", text="x", metadata={})
    other = OpenAICompatibleEmbeddingFunction(base_url="http://127.0.0.1:9/v1", model="m")
    with pytest.raises(MemoryConfigError, match="different embedding function"):
        _ = make_store(embedding_function=other).collection


_CHILD = """
import sys, chromadb
from chromadb.config import Settings
client = chromadb.PersistentClient(path=sys.argv[1], settings=Settings(anonymized_telemetry=False))
if sys.argv[3] == "register":
    import memory.embeddings
collection = client.get_collection(sys.argv[2])
try:
    print(collection.query(query_texts=["pasta dishes"], n_results=1)["ids"][0][0])
except ValueError as exc:  # unknown function name: Chroma refuses, never falls back
    print("ERROR", exc)
"""


@pytest.mark.slow
def test_new_process_finds_the_function_only_when_registered(
    make_store: Callable[..., AgentMemoryStore],
) -> None:
    store = make_store()
    ids = seed(store)

    def child(mode: str) -> str:
        env = {**os.environ, "PYTHONPATH": str(REPO), "ANONYMIZED_TELEMETRY": "False"}
        done = subprocess.run(
            [sys.executable, "-c", _CHILD, str(store.path), store.collection_name, mode],
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
            check=True,
        )
        return done.stdout.strip().splitlines()[-1]

    assert child("register") == ids["pasta"]
    assert "twin-minilm-l6-v2 not found" in child("bare")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def chroma_server(tmp_path: Path) -> Iterator[int]:
    """A real ``chroma run`` server on 127.0.0.1 (the CLI ships with chromadb)."""
    cli = shutil.which("chroma", path=str(Path(sys.executable).parent))
    assert cli, "the chroma CLI is installed with chromadb"
    port = _free_port()
    process = subprocess.Popen(
        [
            cli,
            "run",
            "--path",
            str(tmp_path / "server"),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=1).raise_for_status()
                break
            except httpx.HTTPError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise
                time.sleep(0.2)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.mark.slow
def test_server_mode_uses_a_collection_per_agent(
    chroma_server: int, make_store: Callable[..., AgentMemoryStore]
) -> None:
    a = make_store("agent-a", host="127.0.0.1", port=chroma_server, data_dir=None)
    b = make_store("agent-b", host="127.0.0.1", port=chroma_server, data_dir=None)
    ids = seed(a)
    b.add(kind="insight", text="Agent b likes cats", metadata={})
    assert (a.count(), b.count()) == (4, 1)
    assert a.search("cooking and recipes", k=1)[0].id == ids["pasta"]
    assert a.path is None
    # A fresh client over HTTP rebuilds the embedding function from the server's config.
    fresh = chromadb.HttpClient(host="127.0.0.1", port=chroma_server, settings=chroma_settings())
    collection = fresh.get_collection(a.collection_name)
    assert collection.query(query_texts=["pasta dishes"], n_results=1)["ids"] == [[ids["pasta"]]]


def test_from_settings_picks_location_and_embeddings(tmp_path: Path, embedding_server: Any) -> None:
    from agent.settings import load_settings

    settings = load_settings(data_dir=tmp_path)
    local = AgentMemoryStore.from_settings(settings, "agent-x")
    assert local.path == tmp_path / "memory" / "agent-x"
    assert isinstance(local.embedding_function, LocalMiniLMEmbeddingFunction)

    configured = SimpleNamespace(
        data_dir=tmp_path,
        chroma_host=None,
        chroma_port=8000,
        embeddings_provider="openai",
        embeddings_base_url=embedding_server.base_url,
        embeddings_model="emb",
        embeddings_api_key_env_var="MY_KEY_VAR",
    )
    remote = AgentMemoryStore.from_settings(configured, "agent-y")  # type: ignore[arg-type]
    remote.add(kind="insight", text="Short hooks keep viewers watching", metadata={})
    assert embedding_server.requests[-1]["model"] == "emb"
    assert remote.stats()["embedding_function"] == "twin-openai-compatible"
