"""Repository functions, one module per purpose; all take keyword-only arguments."""
