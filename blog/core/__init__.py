"""Shared infrastructure: database, models, Markdown, security, rendering and errors.

Nothing in here imports a feature package: features build on the core, never the reverse.
"""

from __future__ import annotations

from flask import Flask

from blog.core import assets, changes, compression, counting, errors, security, templating
from blog.core.web import DatabaseInt


def init_app(app: Flask) -> None:
    """Wire the core into the app: compression, static files, templates, security, errors."""
    # First: Flask runs `after_request` functions last-registered first, and compression must
    # see each answer once everything else has finished it.
    compression.init_app(app)
    app.url_map.converters["int"] = DatabaseInt
    assets.init_app(app)
    changes.listen()
    counting.listen()
    templating.init_app(app)
    security.init_app(app)
    errors.init_app(app)
