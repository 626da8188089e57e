"""Storage: SQLAlchemy 2 models' base, engines for SQLite and PostgreSQL, Alembic migrations."""
