"""The weekly cycle's wiring, and nothing else."""

from __future__ import annotations

from langgraph.graph import END, START, StateGraph

from agent.context import Context
from agent.nodes import (
    adapting_node,
    after_review,
    analyzing_node,
    creating_node,
    planning_node,
    publishing_node,
    review_node,
)
from agent.state import CycleInput, CycleState

CycleGraph = StateGraph[CycleState, Context, CycleInput, CycleState]


def build_graph() -> CycleGraph:
    """The uncompiled cycle; callers compile it with their checkpointer."""
    graph = StateGraph(CycleState, context_schema=Context, input_schema=CycleInput)
    graph.add_node("planning", planning_node)
    graph.add_node("creating", creating_node)
    graph.add_node("review", review_node)
    graph.add_node("publishing", publishing_node)
    graph.add_node("analyzing", analyzing_node)
    graph.add_node("adapting", adapting_node)
    graph.add_edge(START, "planning")  # a week starts with a plan
    graph.add_edge("planning", "creating")  # every planned item gets made
    graph.add_edge("creating", "review")  # nothing is published unreviewed
    graph.add_conditional_edges("review", after_review)  # regenerate, ask again, or publish
    graph.add_edge("publishing", "analyzing")  # then read what the audience did
    graph.add_edge("analyzing", "adapting")  # and learn from it
    graph.add_edge("adapting", END)
    return graph
