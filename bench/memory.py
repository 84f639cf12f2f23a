"""Benchmark the vector memory: embedding throughput, insert rate, query latency.

Run: ``.venv/bin/python bench/memory.py [--sizes 10000 100000]``.

Embedding 100k texts with the NumPy MiniLM would take many minutes on a small CPU,
so the index is filled with precomputed vectors: a sample of real texts is embedded
once and each memory gets a sample vector plus small Gaussian noise (re-normalised).
Insert rates are therefore reported twice: index only (precomputed vectors) and end
to end (embedding included, measured on a smaller batch).
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

if __package__ in (None, ""):
    # Run as a script, bench/ is first on sys.path and this file would shadow the
    # ``memory`` package; put the repository root there instead.
    sys.path[0] = str(Path(__file__).resolve().parents[1])

import numpy as np

from memory import (
    AgentMemoryStore,
    LocalMiniLMEmbeddingFunction,
    MemoryRecord,
    RetentionPolicy,
    load_minilm,
)

TOPICS = [
    "morning routines", "budget travel", "home workouts", "meal prep", "personal finance",
    "productivity apps", "skincare", "street photography", "language learning", "coffee",
    "minimalism", "startup fundraising", "houseplants", "running", "study tips",
    "remote work", "vegan recipes", "book reviews", "gaming setups", "parenting hacks",
]  # fmt: skip
TWINS = ["ava", "max", "lina", "omar"]
PLATFORMS = ["tiktok", "instagram", "youtube_shorts", "linkedin", "threads"]
HOOKS = [
    "A {platform} reel on {topic} by {twin} got {views} views with a question hook",
    "{twin}'s {topic} short flopped on {platform}: only {views} views",
    "Behind-the-scenes {topic} clip, posted at {hour}:00, reached {views} views on {platform}",
    "Listicle about {topic} ({views} views on {platform}); viewers asked for part two",
    "Insight: {topic} content from {twin} performs best around {hour}:00 on {platform}",
]


def make_records(count: int, rng: random.Random) -> list[MemoryRecord]:
    """Synthetic but varied post outcomes and insights."""
    records = []
    for i in range(count):
        topic, twin, platform = rng.choice(TOPICS), rng.choice(TWINS), rng.choice(PLATFORMS)
        views, hour = rng.randint(200, 250_000), rng.randint(6, 23)
        text = rng.choice(HOOKS).format(
            topic=topic, twin=twin, platform=platform, views=views, hour=hour
        )
        records.append(
            MemoryRecord(
                kind="post_outcome" if i % 5 else "insight",
                text=text,
                metadata={
                    "topic": topic,
                    "twin_id": twin,
                    "platform": platform,
                    "engagement_score": round(rng.random() * 0.12, 5),
                    "tags": [topic.split()[0], platform],
                },
                memory_id=f"m{i:07d}",
            )
        )
    return records


def perturbed(sample: np.ndarray, count: int, rng: np.random.Generator) -> np.ndarray:
    """``count`` unit vectors: sample rows plus N(0, 0.03) noise, re-normalised."""
    rows = sample[np.arange(count) % len(sample)]
    noisy = rows + rng.normal(0.0, 0.03, rows.shape).astype(np.float32)
    return noisy / np.linalg.norm(noisy, axis=1, keepdims=True)


def percentiles(samples: list[float]) -> str:
    ms = np.asarray(samples) * 1000.0
    return f"p50 {np.percentile(ms, 50):7.2f} ms   p95 {np.percentile(ms, 95):7.2f} ms"


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def bench_size(
    size: int,
    *,
    root: Path,
    sample_vectors: np.ndarray,
    query_vectors: np.ndarray,
    queries: list[str],
    rng: random.Random,
) -> None:
    store = AgentMemoryStore(
        f"bench-{size}", data_dir=root, embedding_function=LocalMiniLMEmbeddingFunction()
    )
    records = make_records(size, rng)
    vectors = perturbed(sample_vectors, size, np.random.default_rng(size))
    seconds = timed(lambda: store.add_many(records, embeddings=vectors))
    print(f"  insert, index only      {size / seconds:10.0f} memories/s  ({seconds:.1f} s)")

    extra = make_records(500, random.Random(size + 1))
    for offset, record in enumerate(extra):
        record.memory_id = f"e{size}-{offset}"
    seconds = timed(lambda: store.add_many(extra))
    print(f"  insert, with embedding  {len(extra) / seconds:10.0f} memories/s  (500 memories)")

    latencies = [timed(lambda v=v: store.search_vector(v, k=5)) for v in query_vectors]  # type: ignore[misc]
    print(f"  query vector, k=5       {percentiles(latencies)}")
    filtered = [
        timed(lambda v=v: store.search_vector(v, k=5, kind="insight"))  # type: ignore[misc]
        for v in query_vectors
    ]
    print(f"  query vector + kind     {percentiles(filtered)}")
    end_to_end = [timed(lambda q=q: store.search(q, k=5)) for q in queries]  # type: ignore[misc]
    print(f"  query text, k=5         {percentiles(end_to_end)}  (embedding included)")

    start = time.perf_counter()
    report = store.compact(RetentionPolicy(top_k=25))
    seconds = time.perf_counter() - start
    print(
        f"  compact top_k=25        {seconds:10.1f} s  ({report.compacted} folded into "
        f"{report.summaries_written} summaries, {store.count()} left)"
    )


def main(argv: list[str] | None = None) -> None:
    """Parse arguments and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--sample", type=int, default=1024, help="texts embedded for real")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--data-dir", type=Path, help="keep the indexes here (default: temp)")
    args = parser.parse_args(argv)

    rng = random.Random(7)
    seconds = timed(load_minilm)
    print(f"model load + SHA-256 check  {seconds:.2f} s")
    embedder = load_minilm()
    sample_texts = [r.text for r in make_records(args.sample, rng)]
    embedder.embed(sample_texts[:32])  # warm-up
    start = time.perf_counter()
    sample_vectors = embedder.embed(sample_texts)
    seconds = time.perf_counter() - start
    print(
        f"embedding throughput        {len(sample_texts) / seconds:.0f} sentences/s "
        f"({len(sample_texts)} texts of ~20 word pieces, batch {embedder.batch_size})"
    )
    queries = [f"what worked for {rng.choice(TOPICS)} on {rng.choice(PLATFORMS)}" for _ in range(args.queries)]  # fmt: skip
    query_vectors = embedder.embed(queries)
    print(
        f"index vectors: {len(sample_texts)} real embeddings + Gaussian noise (sigma 0.03), "
        "re-normalised; 'with embedding' rows embed real texts"
    )

    root = args.data_dir or Path(tempfile.mkdtemp(prefix="twin-memory-bench-"))
    try:
        for size in args.sizes:
            print(f"\n{size} memories (persistent Chroma, cosine HNSW):")
            bench_size(
                size,
                root=root,
                sample_vectors=sample_vectors,
                query_vectors=query_vectors,
                queries=queries,
                rng=rng,
            )
    finally:
        if args.data_dir is None:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
