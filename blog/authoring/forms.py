"""The editor's form: a post's text, its tags and when it is published."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_wtf import FlaskForm
from wtforms import DateTimeLocalField, StringField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, Length, Optional, Regexp, ValidationError

from blog.core.forms import TextForm, lower, single_line, strip
from blog.core.images import uploaded_image
from blog.core.localtime import NonexistentTime, to_utc
from blog.core.models import Limits
from blog.core.text import split_tags
from blog.media.service import is_stored

SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
STATUS_CHOICES = {"draft": "Draft", "published": "Publish now", "scheduled": "Schedule"}


def _tags_ok(_form: FlaskForm, field: Any) -> None:
    names = split_tags(field.data or "")
    if len(names) > Limits.TAGS_PER_POST:
        raise ValidationError(f"Please use at most {Limits.TAGS_PER_POST} tags.")
    if any(len(name) > Limits.TAG_NAME for name in names):
        raise ValidationError(f"Each tag can be at most {Limits.TAG_NAME} characters.")


def _happens_locally(_form: FlaskForm, field: Any) -> None:
    """The publish time is typed in the site zone: refuse one its clocks skip over."""
    if field.data is not None:
        try:
            to_utc(field.data)
        except NonexistentTime as error:
            raise ValidationError(str(error)) from None


def _uploaded_image(_form: FlaskForm, field: Any) -> None:
    if field.data and not (uploaded_image(field.data) and is_stored(field.data)):
        raise ValidationError("Please use the address of an image uploaded here (/media/…).")


def _cover_described(form: FlaskForm, field: Any) -> None:
    if form.cover_image.data and not field.data:
        raise ValidationError("Please describe the cover image for readers who cannot see it.")


class PostForm(TextForm):
    """The editor: a post's text, its labels and when it is published."""

    title = StringField(
        "Title",
        description="Shown as the post's heading.",
        filters=[strip],
        validators=[
            DataRequired("Please give the post a title."),
            Length(
                max=Limits.POST_TITLE,
                message=f"Please keep the title under {Limits.POST_TITLE} characters.",
            ),
            single_line,
        ],
    )
    slug = StringField(
        "Web address",
        filters=[strip, lower],
        validators=[
            Optional(),
            Length(
                max=Limits.POST_SLUG,
                message=f"Please keep the web address under {Limits.POST_SLUG} characters.",
            ),
            Regexp(
                SLUG_PATTERN,
                message="Use lowercase letters, digits and single hyphens, like river-news.",
            ),
        ],
    )
    tags = StringField(
        "Tags",
        description="Separated by commas, e.g. Rivers, Local News.",
        filters=[strip],
        validators=[Length(max=Limits.TAGS_FIELD), single_line, _tags_ok],
    )
    summary = TextAreaField(
        "Summary",
        filters=[strip],
        validators=[
            Length(
                max=Limits.POST_SUMMARY,
                message=f"Please keep the summary under {Limits.POST_SUMMARY} characters.",
            ),
            single_line,
        ],
    )
    body = TextAreaField(
        "Body",
        filters=[strip],
        validators=[
            DataRequired("Please write the post."),
            Length(
                max=Limits.POST_BODY,
                message=f"Please keep the post under {Limits.POST_BODY:,} characters.",
            ),
        ],
    )
    cover_image = StringField(
        "Cover image",
        description="The address of an image uploaded here (tick “Use as the cover” when "
        "uploading). Shown on the home page, above the article and when the post is shared.",
        filters=[strip],
        validators=[
            Length(max=Limits.IMAGE_URL, message="That is not an image uploaded here."),
            _uploaded_image,
        ],
    )
    cover_alt = StringField(
        "Cover description",
        description="For readers who cannot see the cover.",
        filters=[strip],
        validators=[Length(max=Limits.IMAGE_ALT), single_line, _cover_described],
    )
    status = StringField(
        "Status",
        default="draft",
        validators=[AnyOf(list(STATUS_CHOICES), message="Not a valid choice of status.")],
    )

    def too_long_to_preview(self) -> str | None:
        """The first length limit the text breaks (the preview keeps the limits saving keeps)."""
        for field in (self.title, self.slug, self.tags, self.summary, self.body, self.cover_alt):
            for validator in field.validators:
                if isinstance(validator, Length) and len(field.data or "") > validator.max:
                    return f"{field.label.text}: {validator.message or 'too long'}"
        return None

    # A wall-clock time in the site zone (TIMEZONE), as the author reads it; stored as UTC.
    publish_at = DateTimeLocalField(
        "Publish at",
        format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"],
        validators=[Optional(), _happens_locally],
    )

    def publish_at_utc(self) -> datetime | None:
        """The publish time as stored: naive UTC (call after a successful validate)."""
        return to_utc(self.publish_at.data) if self.publish_at.data else None
