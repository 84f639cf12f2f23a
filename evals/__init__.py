"""Quality evaluations; ``python -m evals.adaptation`` compares the learning agent with a baseline and an oracle."""

__all__ = ["adaptation", "audiences", "oracle"]
