"""Storage: SQLAlchemy tables, repositories, Alembic migrations and media files."""
