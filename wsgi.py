"""WSGI entry point: serve.py has granian load `wsgi:app`. The only module-level application."""

import gc

from blog import create_app

app = create_app()

# What start-up made (modules, templates, the app) lives as long as the worker: frozen, the
# garbage collector stops walking it on every collection. A request makes thousands of short-
# lived objects, so collections of the youngest generation also come less often. Together
# about 8 % of an uncached article's time (scripts/bench.py, "article, page cache off").
gc.freeze()
gc.set_threshold(10_000, 10, 10)
