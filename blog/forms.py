"""Forms readers fill in, with the messages they see when something is off."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from flask import current_app
from flask_wtf import FlaskForm
from itsdangerous import BadSignature, URLSafeTimedSerializer
from wtforms import (
    DateTimeLocalField,
    EmailField,
    HiddenField,
    StringField,
    TextAreaField,
    URLField,
)
from wtforms.validators import (
    AnyOf,
    DataRequired,
    Length,
    Optional,
    Regexp,
    ValidationError,
)

from blog.text import split_tags

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# Control characters have no place in a single-line field (and NUL in none at all).
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_BODY_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def _single_line(_form: FlaskForm, field: Any) -> None:
    if field.data and _CONTROL.search(field.data):
        raise ValidationError("Please use plain text on one line.")


def _email(_form: FlaskForm, field: Any) -> None:
    if field.data and not _EMAIL.match(field.data):
        raise ValidationError("That does not look like an email address.")


def _web_address(_form: FlaskForm, field: Any) -> None:
    if not field.data:
        return
    parts = urlsplit(field.data)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname or " " in field.data:
        raise ValidationError("Please give a full web address starting with http:// or https://.")


def _form_signer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="comment-form-shown")


def form_started_token() -> str:
    """A signed note of when the form was shown, to tell people from instant bots."""
    return _form_signer().dumps("shown")


def seconds_since_shown(token: str) -> float | None:
    """How long ago the form carrying `token` was shown; None if the token is not ours."""
    try:
        _, shown = _form_signer().loads(
            token, max_age=current_app.config["COMMENT_FORM_MAX_AGE"], return_timestamp=True
        )
    except BadSignature:  # also SignatureExpired
        return None
    return (datetime.now(UTC) - shown).total_seconds()


class CommentForm(FlaskForm):
    """A new comment or reply; `homepage` is the honeypot that people never see."""

    name = StringField(
        "Name",
        filters=[_strip],
        validators=[
            DataRequired("Please tell us your name."),
            Length(max=80, message="Please keep your name under 80 characters."),
            _single_line,
        ],
    )
    email = EmailField(
        "Email (optional, never shown)",
        filters=[_strip],
        validators=[
            Optional(),
            Length(max=254, message="That email address is too long."),
            _single_line,
            _email,
        ],
    )
    website = URLField(
        "Website (optional)",
        filters=[_strip],
        validators=[
            Optional(),
            Length(max=300, message="Please keep the web address under 300 characters."),
            _single_line,
            _web_address,
        ],
    )
    body = TextAreaField(
        "Comment",
        filters=[_strip],
        validators=[DataRequired("Please write a comment before posting.")],
    )
    parent_id = HiddenField()
    started = HiddenField()
    homepage = StringField("Leave this field empty", filters=[_strip])

    def validate_body(self, field: Any) -> None:
        """Enforce the configured length and refuse characters that are not text."""
        limit = int(current_app.config["COMMENT_MAX_LENGTH"])
        if len(field.data) > limit:
            raise ValidationError(
                f"Please keep your comment under {limit:,} characters "
                f"(it is {len(field.data):,})."
            )
        if _BODY_CONTROL.search(field.data):
            raise ValidationError("Your comment contains characters that are not text.")


class CommentEditForm(FlaskForm):
    """The body of one's own comment, within the edit window."""

    body = TextAreaField(
        "Comment",
        filters=[_strip],
        validators=[DataRequired("A comment cannot be empty; delete it instead.")],
    )
    validate_body = CommentForm.validate_body


SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
STATUS_CHOICES = {"draft": "Draft", "published": "Publish now", "scheduled": "Schedule"}


def _tags_ok(_form: FlaskForm, field: Any) -> None:
    names = split_tags(field.data or "")
    if len(names) > 10:
        raise ValidationError("Please use at most 10 tags.")
    if any(len(name) > 50 for name in names):
        raise ValidationError("Each tag can be at most 50 characters.")


class PostForm(FlaskForm):
    """The editor: a post's text, its labels and when it is published."""

    title = StringField(
        "Title",
        filters=[_strip],
        validators=[
            DataRequired("Please give the post a title."),
            Length(max=200, message="Please keep the title under 200 characters."),
            _single_line,
        ],
    )
    slug = StringField(
        "Web address",
        filters=[_strip, lambda value: value.lower() if isinstance(value, str) else value],
        validators=[
            Optional(),
            Length(max=200, message="Please keep the web address under 200 characters."),
            Regexp(SLUG_PATTERN, message="Use lowercase letters, digits and single hyphens, "
                   "like river-news."),
        ],
    )  # fmt: skip
    tags = StringField("Tags", filters=[_strip], validators=[Length(max=600), _single_line,
                                                              _tags_ok])  # fmt: skip
    summary = TextAreaField(
        "Summary",
        filters=[_strip],
        validators=[Length(max=500, message="Please keep the summary under 500 characters."),
                    _single_line],
    )  # fmt: skip
    body = TextAreaField(
        "Body",
        filters=[_strip],
        validators=[
            DataRequired("Please write the post."),
            Length(max=200_000, message="Please keep the post under 200,000 characters."),
        ],
    )
    status = StringField(
        "Status",
        default="draft",
        validators=[AnyOf(list(STATUS_CHOICES), message="Not a valid choice of status.")],
    )
    publish_at = DateTimeLocalField(
        "Publish at (UTC)", format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"],
        validators=[Optional()],
    )  # fmt: skip

