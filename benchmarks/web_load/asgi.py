"""The app for uvicorn's workers: ``uvicorn benchmarks.web_load.asgi:make_app --factory``.

Each worker process builds its own app from the environment (DATABASE_URL, MSINFUSION_*), like a
deployment would; the database is already migrated and filled by the harness.
"""

from __future__ import annotations

from fastapi import FastAPI

from msinfusion.settings import load_settings
from msinfusion.web import create_app


def make_app() -> FastAPI:
    return create_app(load_settings(dotenv=None))
