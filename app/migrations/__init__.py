"""alembic migrations of the app (a package, so the wheel and the bundle carry env.py)."""
