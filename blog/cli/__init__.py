"""Operator commands that prepare a blog: `flask prepare` and `flask demo load`."""

from __future__ import annotations

import click
from flask import Flask

from blog.cli.prepare import prepare_database
from blog.demo.loader import load_demo_content


def init_app(app: Flask) -> None:
    """Register `flask prepare` and `flask demo load`."""

    @app.cli.command("prepare")
    def prepare_command() -> None:
        """Migrate the database and load demo content if the blog is empty."""
        prepare_database(app)

    @app.cli.group("demo")
    def demo_group() -> None:
        """Demo content."""

    @demo_group.command("load")
    def load_command() -> None:
        """Load the demo posts (those already there are left alone)."""
        added = load_demo_content()
        click.echo(f"Added {added} demo post(s).")
