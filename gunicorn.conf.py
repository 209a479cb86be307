"""gunicorn settings for `make run` and the end-to-end tests.

The master process migrates the database (and loads the demo posts into an empty blog) once,
before any worker starts, so workers never race each other over the schema.
"""

from __future__ import annotations

import os
from typing import Any

from blog import create_app
from blog.cli.prepare import prepare_database

wsgi_app = "wsgi:app"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
accesslog = "-"
# The worker's pid ends each line, so tests can see that both workers served requests.
access_log_format = '%(h)s %(t)s "%(r)s" %(s)s %(b)s %(M)sms pid=%(p)s'
errorlog = "-"
# No control socket in ~/.gunicorn: several servers (tests, a dev run) may share one machine.
control_socket_disable = True
# The app as the operator configured it (instance/config.py, BLOG_*): read once, here.
_app = create_app()
# X-Forwarded-Proto and friends are trusted only behind a proxy the operator declared
# (PROXY_COUNT > 0), and then only from this machine; otherwise anyone could claim https.
forwarded_allow_ips = "127.0.0.1,::1" if _app.config["PROXY_COUNT"] else ""


def on_starting(server: Any) -> None:
    """Bring the database up to date before forking the workers."""
    prepare_database(_app)
