"""WSGI entry point for gunicorn: ``gunicorn 'core.wsgi:app'`` (config from
``AMSFLOW_CONFIG``)."""

from __future__ import annotations

from .app import create_app

app = create_app()
