"""One module per node of the weekly cycle."""

from agent.nodes.adapting import adapting_node
from agent.nodes.analyzing import analyzing_node
from agent.nodes.creating import creating_node
from agent.nodes.lifecycle import begin_node, finish_node
from agent.nodes.planning import planning_node
from agent.nodes.publishing import publishing_node
from agent.nodes.review import after_review, review_node

__all__ = [
    "adapting_node",
    "after_review",
    "analyzing_node",
    "begin_node",
    "creating_node",
    "finish_node",
    "planning_node",
    "publishing_node",
    "review_node",
]
