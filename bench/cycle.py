"""Benchmark: one offline 7-reel weekly cycle split by node, and orchestration overhead.

    .venv/bin/python bench/cycle.py [--reels 7] [--steps 200]

1. A full fast-forward week with real speech and real renders, timed per node from the
   run's own progress events.
2. Orchestration overhead per step, measured side by side in this process: a bare
   LangGraph graph of six no-op nodes on a SqliteSaver, against the same six no-op steps
   wrapped the way the cycle wraps its nodes (node events, agent state, run row) on the
   same kind of checkpointer and database.
"""

from __future__ import annotations

import sys
from pathlib import Path

if __name__ == "__main__" and __package__ in (None, ""):
    # Run as a script: bench/ must not shadow the project's packages (bench/memory.py vs memory/).
    sys.path[0] = str(Path(__file__).resolve().parent.parent)

import argparse
import statistics
import tempfile
import time
import uuid
from itertools import pairwise
from typing import Any, TypedDict

from langgraph.graph import END, START, StateGraph
from langgraph.runtime import Runtime

NODES = ["planning", "creating", "review", "publishing", "analyzing", "adapting"]


def full_cycle(reels: int) -> tuple[dict[str, float], float, dict[str, Any]]:
    from agent.app.bootstrap import initialise
    from agent.app.resources import open_resources
    from agent.app.runs import start_run
    from agent.settings import load_settings
    from db.engine import transaction
    from db.repo.identity import get_agent, update_agent_policy

    data = Path(tempfile.mkdtemp(prefix="twin-bench-"))
    system = open_resources(load_settings(data_dir=data))
    initialise(system)
    with transaction(system.sessions) as session:
        update_agent_policy(session=session, agent=get_agent(session=session), posts_per_week=reels)
    marks: dict[str, float] = {}
    durations: dict[str, float] = {}

    def progress(node: str, message: str) -> None:
        now = time.perf_counter()
        if message == "started":
            marks[node] = now
        elif message == "finished" and node in marks:
            durations[node] = durations.get(node, 0.0) + now - marks.pop(node)

    start = time.perf_counter()
    outcome = start_run(system, auto_approve=True, fast_forward=True, progress=progress)
    total = time.perf_counter() - start
    system.dispose()
    return durations, total, outcome.summary


class _State(TypedDict, total=False):
    run_id: str
    agent_id: str
    week: str
    auto_approve: bool
    n: int


def _noop(state: _State) -> dict[str, Any]:
    return {"n": state.get("n", 0) + 1}


def _bare_graph() -> StateGraph[_State, None, _State, _State]:
    graph = StateGraph(_State)
    for name in NODES:
        graph.add_node(name, _noop)
    graph.add_edge(START, NODES[0])
    for a, b in pairwise(NODES):
        graph.add_edge(a, b)
    graph.add_edge(NODES[-1], END)
    return graph


def _tracked_graph() -> StateGraph[_State, Any, _State, _State]:
    from agent.context import Context
    from agent.nodes.tracking import tracked

    graph = StateGraph(_State, context_schema=Context)
    for name in NODES:

        def body(state: _State, runtime: Runtime[Context]) -> dict[str, Any]:
            return {"n": state.get("n", 0) + 1}

        graph.add_node(name, tracked(name)(body))  # type: ignore[arg-type]
    graph.add_edge(START, NODES[0])
    for a, b in pairwise(NODES):
        graph.add_edge(a, b)
    graph.add_edge(NODES[-1], END)
    return graph


def overhead(steps: int) -> tuple[float, float]:
    """Per-step seconds: bare graph vs the cycle's wrapped steps, same checkpointer kind."""
    from agent.app.bootstrap import initialise
    from agent.app.resources import open_resources
    from agent.app.wiring import Wiring, build_context, checkpointer, no_memory
    from agent.context import SystemClock
    from agent.settings import load_settings
    from db.engine import transaction
    from db.enums import TriggerType
    from db.repo.identity import get_agent
    from db.repo.runs import create_run

    data = Path(tempfile.mkdtemp(prefix="twin-bench-oh-"))
    system = open_resources(load_settings(data_dir=data))
    initialise(system)
    with transaction(system.sessions) as session:
        agent = get_agent(session=session)
        run = create_run(
            session=session, agent_id=agent.id, trigger_type=TriggerType.system, week_key="2026-W01"
        )
        ids: _State = {
            "run_id": str(run.id),
            "agent_id": str(agent.id),
            "week": "2026-W01",
            "auto_approve": True,
        }
    ctx = build_context(
        system, Wiring(memory=no_memory), clock=SystemClock(), agent_id=ids["agent_id"]
    )
    runs = max(1, steps // len(NODES))
    with checkpointer(system) as saver:
        bare = _bare_graph().compile(checkpointer=saver)
        ours = _tracked_graph().compile(checkpointer=saver)
        bare_times, our_times = [], []
        for _ in range(runs):  # interleaved so machine noise hits both alike
            t = time.perf_counter()
            bare.invoke(ids, {"configurable": {"thread_id": uuid.uuid4().hex}})
            bare_times.append((time.perf_counter() - t) / len(NODES))
            t = time.perf_counter()
            ours.invoke(ids, {"configurable": {"thread_id": uuid.uuid4().hex}}, context=ctx)
            our_times.append((time.perf_counter() - t) / len(NODES))
    system.dispose()
    return statistics.median(bare_times), statistics.median(our_times)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--reels", type=int, default=7)
    parser.add_argument("--steps", type=int, default=300)
    args = parser.parse_args()

    print(f"1) One offline weekly cycle, {args.reels} reels, real speech and renders")
    durations, total, summary = full_cycle(args.reels)
    for node in NODES:
        secs = durations.get(node, 0.0)
        print(f"   {node:<11} {secs:8.2f} s  {secs / total:6.1%}")
    print(f"   {'total':<11} {total:8.2f} s  ({summary['text']})")

    bare, ours = overhead(args.steps)
    print(
        f"\n2) Orchestration overhead per step (median of {max(1, args.steps // 6)} six-step runs, SqliteSaver)"
    )
    print(f"   bare LangGraph graph      {bare * 1000:8.2f} ms/step")
    print(
        f"   cycle-wrapped steps       {ours * 1000:8.2f} ms/step  (node events, agent state, run row)"
    )
    print(
        f"   ratio                     {ours / bare:8.2f}x   added {(ours - bare) * 1000:.2f} ms/step"
    )


if __name__ == "__main__":
    main()
