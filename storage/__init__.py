"""Persistence: sqlmodel tables, the async engine, repositories and Alembic migrations."""
