"""The blog: a Flask application factory and the feature packages it wires together.

Where things live: `core/` is shared infrastructure (database, models, Markdown, security,
rendering, errors) and imports no feature; each feature package (`reading/`, `comments/`,
`authoring/`, `media/`, `moderation/`, `accounts/`, `operations/`, `portability/`, `feeds/`,
`search/`) owns its blueprint, forms, queries and services; `demo/` and `cli/` prepare a blog.
Templates sit in `templates/<feature>/`.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from blog import cli, core
from blog.accounts import cli as accounts_cli
from blog.accounts.views import bp as accounts_bp
from blog.authoring.views import bp as authoring_bp
from blog.comments.views import bp as comments_bp
from blog.config import load_config
from blog.core import pagecache
from blog.demo.views import bp as demo_bp
from blog.extensions import csrf, db, htmx, login_manager, migrate
from blog.feeds.views import bp as feeds_bp
from blog.media.views import bp as media_bp
from blog.moderation.views import bp as moderation_bp
from blog.operations import cli as operations_cli
from blog.operations.views import bp as operations_bp
from blog.portability import cli as portability_cli
from blog.portability import redirects
from blog.reading.views import bp as reading_bp
from blog.search import cli as search_cli
from blog.search.views import bp as search_bp

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
    # Inside ProxyFix: the cache keys pages on the scheme and host the client used.
    pagecache.init_app(app)
    if proxies := app.config["PROXY_COUNT"]:
        # Only behind that many trusted proxies is X-Forwarded-For the real client address.
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies
        )

    # The core first: its checks of every request run before any extension's (CSRF's too).
    core.init_app(app)
    db.init_app(app)
    migrate.init_app(app, db, directory=MIGRATIONS_DIR)
    csrf.init_app(app)
    htmx.init_app(app)
    login_manager.init_app(app)

    cli.init_app(app)
    accounts_cli.init_app(app)
    operations_cli.init_app(app)
    portability_cli.init_app(app)
    search_cli.init_app(app)
    redirects.init_app(app)
    for blueprint in (
        reading_bp,
        comments_bp,
        authoring_bp,
        media_bp,
        moderation_bp,
        accounts_bp,
        operations_bp,
        feeds_bp,
        search_bp,
        demo_bp,
    ):
        app.register_blueprint(blueprint)
    return app
