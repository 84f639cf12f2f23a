"""The data layer: SQLAlchemy models, repositories, encryption and Alembic migrations."""

__all__: list[str] = []
