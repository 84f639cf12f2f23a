"""Creating helpers: platform caption limits, quality checks, consent."""

__all__: list[str] = []
