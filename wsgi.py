"""WSGI entry point: `gunicorn wsgi:app`. The only module-level application."""

from blog import create_app

app = create_app()
