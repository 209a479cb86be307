"""WSGI entry point: serve.py has granian load `wsgi:app`. The only module-level application."""

from blog import create_app

app = create_app()
