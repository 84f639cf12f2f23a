"""`twin --help` stays quick: no command module loads the graph, models, media or chart stacks."""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = [
    "langgraph",
    "langchain_core",
    "openai",
    "matplotlib",
    "chromadb",
    "fastapi",
    "av",
    "numpy",
    "PIL",
]


def test_importing_the_cli_loads_no_heavy_stack() -> None:
    code = f"import sys, json, agent.cli; print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    assert json.loads(out.stdout) == []
