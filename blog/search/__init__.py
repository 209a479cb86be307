"""Search: finding posts by their words.

The index sits beside the posts (SQLite FTS5, or PostgreSQL full text); the results page answers
a plain GET form and live typing through htmx; `flask search reindex` rebuilds the index.
"""
