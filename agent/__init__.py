"""Twin Agent: the weekly LangGraph cycle (state, context, graph) and the packages around it."""

__all__: list[str] = []
