"""The web layer: a FastAPI app that renders what the core computes (see :func:`create_app`)."""

from msinfusion.web.app import create_app

__all__ = ["create_app"]
