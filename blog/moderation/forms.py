"""The queue's reply form: an author answers a comment without leaving the queue."""

from __future__ import annotations

from wtforms import TextAreaField
from wtforms.validators import DataRequired

from blog.comments.forms import comment_body_rule
from blog.core.forms import TextForm, strip


class ReplyForm(TextForm):
    """The text of an author's reply, in Markdown like any comment."""

    body = TextAreaField(
        "Your reply",
        filters=[strip],
        validators=[
            DataRequired("Please write your reply before sending it."),
            comment_body_rule("reply"),
        ],
    )
