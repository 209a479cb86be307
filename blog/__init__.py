"""The blog: a Flask application factory and the pieces it wires together."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from blog.config import load_config
from blog.extensions import csrf, db, htmx, login_manager, migrate

MIGRATIONS_DIR = str(Path(__file__).parent / "migrations")


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the blog application; `test_config` overrides every other setting."""
    app = Flask(
        __name__,
        instance_path=os.environ.get("BLOG_INSTANCE_PATH") or None,
        instance_relative_config=True,
        template_folder="../templates",
        static_folder="../static",
    )
    load_config(app, test_config)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if proxies := int(app.config["PROXY_COUNT"]):
        # Only behind that many trusted proxies is X-Forwarded-For the real client address.
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies
        )

    db.init_app(app)
    migrate.init_app(app, db, directory=MIGRATIONS_DIR)
    csrf.init_app(app)
    htmx.init_app(app)
    login_manager.init_app(app)

    from blog import accounts, database, demo, errors, security, templating
    from blog.articles import bp as articles_bp
    from blog.auth import bp as auth_bp
    from blog.comments import bp as comments_bp
    from blog.editor import bp as editor_bp
    from blog.editor import media_bp
    from blog.moderation import bp as moderation_bp
    from blog.site import bp as site_bp

    database.init_app(app)
    templating.init_app(app)
    security.init_app(app)
    errors.init_app(app)
    demo.init_app(app)
    accounts.init_app(app)
    app.register_blueprint(articles_bp)
    app.register_blueprint(comments_bp)
    app.register_blueprint(site_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(editor_bp)
    app.register_blueprint(media_bp)
    app.register_blueprint(moderation_bp)
    return app
