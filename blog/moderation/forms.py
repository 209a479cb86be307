"""The queue's reply form: an author answers a comment without leaving the queue."""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import DataRequired, ValidationError

from blog.core.forms import TextForm, has_control_characters, strip


def _reply_body(_form: FlaskForm, field: Any) -> None:
    """The same length limit and text-only rule as every comment (COMMENT_MAX_LENGTH)."""
    limit = current_app.config["COMMENT_MAX_LENGTH"]
    if len(field.data) > limit:
        raise ValidationError(
            f"Please keep your reply under {limit:,} characters (it is {len(field.data):,})."
        )
    if has_control_characters(field.data):
        raise ValidationError("Your reply contains characters that are not text.")


class ReplyForm(TextForm):
    """The text of an author's reply, in Markdown like any comment."""

    body = TextAreaField(
        "Your reply",
        filters=[strip],
        validators=[DataRequired("Please write your reply before sending it."), _reply_body],
    )
