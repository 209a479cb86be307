"""Operator commands that prepare a blog: `flask prepare` and `flask demo load|remove`."""

from __future__ import annotations

import click
from flask import Flask

from blog.cli.prepare import prepare_database
from blog.demo.loader import load_demo_content, remove_demo_content


def init_app(app: Flask) -> None:
    """Register `flask prepare` and `flask demo load|remove`."""

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

    @demo_group.command("remove")
    @click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
    def remove_command(yes: bool) -> None:
        """Delete the demo authors, their posts and those posts' comments (nothing else)."""
        if not yes:
            click.confirm("Delete the demo authors, posts and comments?", abort=True)
        removed = remove_demo_content()
        click.echo(
            "Removed " + ", ".join(f"{count} {what}" for what, count in removed.items()) + "."
        )
