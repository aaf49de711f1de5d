"""Alembic migrations for the msinfusion database (run through :func:`msinfusion.db.migrate`)."""
