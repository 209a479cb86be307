"""The forms readers fill in to comment, with the messages they see when something is off."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import current_app
from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, StringField, TextAreaField, URLField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from blog.core.forms import (
    TextForm,
    email_address,
    has_control_characters,
    single_line,
    strip,
    web_address,
)
from blog.core.models import Limits


def comment_body_rule(noun: str) -> Callable[[FlaskForm, Any], None]:
    """A validator for any comment's text, named as `noun` ("comment", "reply") in messages.

    The configured length (COMMENT_MAX_LENGTH), and nothing that is not text.
    """

    def check(_form: FlaskForm, field: Any) -> None:
        limit = current_app.config["COMMENT_MAX_LENGTH"]
        if len(field.data) > limit:
            raise ValidationError(
                f"Please keep your {noun} under {limit:,} characters (it is {len(field.data):,})."
            )
        if has_control_characters(field.data):
            raise ValidationError(f"Your {noun} contains characters that are not text.")

    return check


_comment_body = comment_body_rule("comment")


class CommentForm(TextForm):
    """A new comment or reply; `homepage` is the honeypot that people never see."""

    class Meta:
        """The CSRF check is the view's: a form from a cached page may come without a token."""

        csrf = False

    name = StringField(
        "Name",
        filters=[strip],
        validators=[
            DataRequired("Please tell us your name."),
            Length(
                max=Limits.COMMENT_NAME,
                message=f"Please keep your name under {Limits.COMMENT_NAME} characters.",
            ),
            single_line,
        ],
    )
    email = EmailField(
        "Email",
        filters=[strip],
        validators=[
            Optional(),
            Length(max=Limits.COMMENT_EMAIL, message="That email address is too long."),
            single_line,
            email_address,
        ],
    )
    website = URLField(
        "Website",
        filters=[strip],
        validators=[
            Optional(),
            Length(
                max=Limits.COMMENT_WEBSITE,
                message=f"Please keep the web address under {Limits.COMMENT_WEBSITE} characters.",
            ),
            single_line,
            web_address,
        ],
    )
    body = TextAreaField(
        "Comment",
        filters=[strip],
        validators=[DataRequired("Please write a comment before posting."), _comment_body],
    )
    parent_id = HiddenField()
    started = HiddenField()
    homepage = StringField("Leave this field empty", filters=[strip])


class CommentEditForm(TextForm):
    """The body of one's own comment, within the edit window."""

    body = TextAreaField(
        "Your comment",
        filters=[strip],
        validators=[DataRequired("A comment cannot be empty; delete it instead."), _comment_body],
    )
