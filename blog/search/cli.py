"""`flask search reindex`: rebuild the search index (after a restore, or if search misses posts)."""

from __future__ import annotations

import click
from flask import Flask

from blog.search.service import reindex


def init_app(app: Flask) -> None:
    """Register the `search` command group."""

    @app.cli.group("search")
    def search_group() -> None:
        """The search index."""

    @search_group.command("reindex")
    def reindex_command() -> None:
        """Rebuild the search index from every post (safe to run while serving)."""
        count = reindex()
        click.echo(f"Search index rebuilt: {count} post(s) and page(s).")
