"""Human review of a week's reels as LangChain HITL interrupts."""

__all__: list[str] = []
