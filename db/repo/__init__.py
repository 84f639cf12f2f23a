"""Repository functions, one module per purpose; all take keyword-only arguments."""

__all__: list[str] = []
