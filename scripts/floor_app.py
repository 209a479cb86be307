"""The posting floor: the least a comment form can do on the blog's fixed stack.

`make bench` (scripts/bench_floor.py) serves this app as the blog is served and posts comments to
it exactly as it posts them to the blog. Its rate is the most any blog built on Flask, Flask-WTF,
SQLAlchemy and Jinja can reach on this machine, whatever its own code: a bound for the posting
target, measured in the same run as the blog and Isso.

What it does per comment, and no more: a form fetch that sets the CSRF token in Flask's signed
session cookie; a POST validated by a FlaskForm (CSRF on, two length-checked fields); one write
transaction on SQLite (WAL, synchronous=NORMAL, as the blog's) holding an UPDATE ... RETURNING of
the post's kept count and the comment's INSERT, both statements built once; an answer of the
blog's size rendered by Jinja: the comment, the count and a fresh form. What the blog does on top
(anti-bot stamp, rate limits, duplicate refusal, Markdown and sanitizing, moderation, owner
token, page cache change, htmx out-of-band blocks) is left out.

    FLOOR_DATABASE=/path/to.db granian --interface wsgi --factory floor_app:create_app
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from typing import Any

from flask import Flask, abort, render_template
from flask_wtf import FlaskForm
from jinja2 import DictLoader
from sqlalchemy import (
    Column,
    Engine,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    bindparam,
    create_engine,
    event,
    insert,
    update,
)
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length

SLUG = "floor"
METADATA = MetaData()
POSTS = Table(
    "posts",
    METADATA,
    Column("id", Integer, primary_key=True),
    Column("slug", String(200), unique=True),
    Column("title", String(200)),
    Column("comment_count", Integer, nullable=False),
)
COMMENTS = Table(
    "comments",
    METADATA,
    Column("id", Integer, primary_key=True),
    Column("post_id", Integer, nullable=False, index=True),
    Column("author_name", String(80), nullable=False),
    Column("body", Text, nullable=False),
    Column("created_at", String(32), nullable=False),
)
COUNT_ONE_MORE = (
    update(POSTS)
    .where(POSTS.c.slug == bindparam("post_slug"))
    .values(comment_count=POSTS.c.comment_count + 1)
    .returning(POSTS.c.id, POSTS.c.comment_count)
)
ADD = insert(COMMENTS)

# The blog's posted answer is about 4.7 KB: the new comment, the counts, a fresh form and the
# form's help text. This one is the same size, so both send as much.
HELP = "".join(
    f"<li>Rule {number}: be kind to the lock keepers and the other readers; keep to the towpath,"
    " the boats and the weather on the canal.</li>\n"
    for number in range(1, 31)
)
TEMPLATES = {
    "parts.html": "{{ form.csrf_token }}",
    "form.html": """<form method="post" action="/posts/{{ slug }}/comments">
  {{ form.csrf_token }}
  <label for="name">Name</label>{{ form.name(maxlength=80) }}
  <label for="body">Comment</label>{{ form.body(rows=4) }}
  <button type="submit">Publish</button>
</form>""",
    "posted.html": """<section id="post-a-comment">
<p class="count">{{ count }} Comments</p>
<article class="comment" id="comment-{{ comment.id }}">
  <h3>{{ comment.author_name }}</h3><time>{{ comment.created_at }}</time>
  <p>{{ comment.body }}</p>
</article>
<ul class="help">{{ help|safe }}</ul>
{% include "form.html" %}
</section>""",
}


class CommentForm(FlaskForm):
    """A name and a comment, length-checked, with Flask-WTF's CSRF token."""

    name = StringField("Name", validators=[DataRequired(), Length(max=80)])
    body = TextAreaField("Comment", validators=[DataRequired(), Length(max=4000)])


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "busy_timeout=5000"):
        cursor.execute(f"PRAGMA {pragma}")
    cursor.close()


def database(path: str) -> Engine:
    """The floor's SQLite database at `path`, with the blog's settings."""
    engine = create_engine(f"sqlite:///{path}")
    event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def create_app() -> Flask:
    """The floor app on the database FLOOR_DATABASE names (made by scripts/bench_floor.py)."""
    app = Flask(__name__)
    app.config["SECRET_KEY"] = os.environ.get("FLOOR_SECRET_KEY", "floor") * 4
    app.jinja_loader = DictLoader(TEMPLATES)
    engine = database(os.environ["FLOOR_DATABASE"])

    @app.get("/ping")
    def ping() -> str:
        """Ready."""
        return "ok"

    @app.get("/posts/<slug>/comments/form-parts")
    def form_parts(slug: str) -> str:
        """The per-visitor part of the form: its CSRF token (in the session cookie too)."""
        return render_template("parts.html", form=CommentForm())

    @app.post("/posts/<slug>/comments")
    def post_comment(slug: str) -> tuple[str, int] | str:
        """Store a comment and answer with it, the new count and a fresh form."""
        form = CommentForm()
        if not form.validate_on_submit():
            return render_template("form.html", form=form, slug=slug), 422
        comment = {
            "author_name": (form.name.data or "").strip(),
            "body": (form.body.data or "").strip(),
            "created_at": datetime.now(UTC).isoformat(" ", "seconds"),
        }
        with engine.begin() as connection:
            row = connection.execute(COUNT_ONE_MORE, {"post_slug": slug}).first()
            if row is None:
                abort(404)
            comment["id"] = connection.execute(ADD, {**comment, "post_id": row.id}).lastrowid
        fresh = CommentForm(formdata=None)
        return render_template(
            "posted.html",
            form=fresh,
            slug=slug,
            comment=comment,
            count=row.comment_count,
            help=HELP,
        )

    return app
