"""The weekly cycle's wiring, and nothing else."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

from langgraph.graph import END, START, StateGraph

from agent.context import Context
from agent.nodes import (
    adapting_node,
    after_review,
    analyzing_node,
    begin_node,
    creating_node,
    finish_node,
    planning_node,
    publishing_node,
    review_node,
)
from agent.state import CycleInput, CycleState


def after_publishing(state: CycleState) -> Literal["analyzing", "finish"]:
    """A week goes on to analysis; a trend spike's extra reel leaves that to its week's run."""
    return "finish" if state.get("spike_topic") else "analyzing"


CycleGraph = StateGraph[CycleState, Context, CycleInput, CycleState]


def build_graph(
    context_schema: type[Any] = Context, node: Callable[[Any], Any] = lambda fn: fn
) -> CycleGraph:
    """The uncompiled cycle; callers compile it with their checkpointer.

    ``context_schema`` and ``node`` (a wrapper applied to every node) let a server run it with
    a JSON context it turns into the run's :class:`Context` (see :mod:`agent.app.server`).
    """
    graph = StateGraph(CycleState, context_schema=context_schema, input_schema=CycleInput)
    graph.add_node("begin", node(begin_node))
    graph.add_node("planning", node(planning_node))
    graph.add_node("creating", node(creating_node))
    graph.add_node("review", node(review_node))
    graph.add_node("publishing", node(publishing_node))
    graph.add_node("analyzing", node(analyzing_node))
    graph.add_node("adapting", node(adapting_node))
    graph.add_node("finish", node(finish_node))
    graph.add_edge(START, "begin")  # the run's record, whoever started it
    graph.add_edge("begin", "planning")  # a week starts with a plan
    graph.add_edge("planning", "creating")  # every planned item gets made
    graph.add_edge("creating", "review")  # nothing is published unreviewed
    graph.add_conditional_edges("review", after_review)  # regenerate, ask again, or publish
    graph.add_conditional_edges("publishing", after_publishing)  # a spike's reel ends here
    graph.add_edge("analyzing", "adapting")  # and learn from it
    graph.add_edge("adapting", "finish")  # and record how the week went
    graph.add_edge("finish", END)
    return graph
