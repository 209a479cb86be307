"""Shared infrastructure: database, models, Markdown, security, rendering and errors.

Nothing in here imports a feature package: features build on the core, never the reverse.
"""

from __future__ import annotations

from flask import Flask

from blog.core import errors, security, templating
from blog.core.web import DatabaseInt


def init_app(app: Flask) -> None:
    """Wire the core into the app: templates, security headers and error pages."""
    app.url_map.converters["int"] = DatabaseInt
    templating.init_app(app)
    security.init_app(app)
    errors.init_app(app)
