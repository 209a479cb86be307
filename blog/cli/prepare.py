"""The start-up step: bring the schema up to date and, on an empty blog, load the demo posts."""

from __future__ import annotations

from flask import Flask
from flask_migrate import upgrade

from blog.demo.loader import blog_is_empty, demo_wanted, load_demo_content


def prepare_database(app: Flask) -> None:
    """Bring the schema to the newest migration and, on an empty blog, load the demo posts.

    Not after `demo remove`: an operator who cleared the demo starts from an empty blog.
    """
    with app.app_context():
        upgrade(directory=app.extensions["migrate"].directory)
        if app.config["DEMO_CONTENT_ON_EMPTY"] and blog_is_empty() and demo_wanted():
            load_demo_content()
