"""Comments rendered once and reused: the comment section's cost without its template work.

An article with a full page of comments spent most of its time in the comment macros (80
comments: escaping, two URLs and a date each). A comment's item is a pure function of the
values in `head_key`, so one made once is kept under all of them: an edit, a moderation, a new
time zone or an author's change gives a new key, never a stale item. Items with the reader's
own controls (edit, delete, a CSRF token), focus or a message are never kept.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Container, Hashable, Sequence
from typing import Any

from flask import current_app, request
from markupsafe import Markup

from blog.comments.queries import CommentNode, CommentView

# Per server process; an item is about 1.5 KB, so this holds some 5,000 of them.
BUDGET_BYTES = 8 * 1024 * 1024


class Kept:
    """Rendered items, least recently used dropped first, within a byte budget."""

    def __init__(self, budget: int) -> None:
        self.budget = budget
        self.size = 0
        self.items: OrderedDict[Hashable, Markup] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: Hashable) -> Markup | None:
        """The item under `key`, if kept."""
        with self.lock:
            found = self.items.get(key)
            if found is not None:
                self.items.move_to_end(key)
            return found

    def put(self, key: Hashable, item: Markup) -> None:
        """Keep `item` under `key`."""
        with self.lock:
            old = self.items.pop(key, None)
            if old is not None:
                self.size -= len(old)
            self.items[key] = item
            self.size += len(item)
            while self.size > self.budget and self.items:
                _, dropped = self.items.popitem(last=False)
                self.size -= len(dropped)


_heads = Kept(BUDGET_BYTES)


def head_key(
    comment: CommentView, in_reply_to: str | None, can_reply: bool, place: Hashable
) -> Hashable:
    """Everything the head template reads, and where it is rendered (`place`: zone, URL root)."""
    post = comment.post
    return (
        comment.id,
        comment.status,
        comment.author_name,
        comment.author_website,
        comment.author_id,
        comment.created_at,
        comment.edited_at,
        comment.body_html,
        post.slug,
        post.author_id,
        in_reply_to,
        can_reply,
        place,
    )


def comment_tree(
    nodes: Sequence[CommentNode],
    editable: Container[int] = (),
    focus_id: int | None = None,
    can_reply: bool = True,
    status: Any = None,
) -> Markup:
    """The items of these threads, each one's replies nested in `<ol class="comment-replies">`.

    Walked here rather than by a recursive macro: what every item shares (the macro, the zone,
    the URL root) is looked up once per list, not once per comment.
    """
    macro = current_app.jinja_env.get_template("comments/macros.html").module.comment_head  # type: ignore[attr-defined]
    place = (current_app.config["TIMEZONE"], request.script_root)
    status_for = status.comment_id if status is not None else None
    parts: list[str] = []

    def head(node: CommentNode) -> str:
        comment = node.comment
        here = status if status_for == comment.id else None
        focus = comment.id == focus_id
        if here is not None or focus or comment.id in editable:
            # This reader's own controls, focus or message: never kept.
            return str(macro(comment, editable, node.in_reply_to, can_reply, focus, here))
        key = head_key(comment, node.in_reply_to, can_reply, place)
        found = _heads.get(key)
        if found is None:
            found = Markup(macro(comment, (), node.in_reply_to, can_reply, False, None))
            _heads.put(key, found)
        return found

    def walk(level: Sequence[CommentNode]) -> None:
        for node in level:
            parts.append(head(node))
            if node.replies:
                flat = " comment-replies--flat" if node.depth >= 3 else ""
                parts.append(f'<ol class="comment-replies{flat}">')
                walk(node.replies)
                parts.append("</ol>")
            parts.append("</li>")

    walk(nodes)
    return Markup("".join(parts))
