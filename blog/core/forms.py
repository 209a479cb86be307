"""Field filters and validators shared by every form, with the messages people see."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from flask_wtf import FlaskForm
from wtforms.validators import ValidationError

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# Control characters have no place in a single-line field (and NUL in none at all).
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_BODY_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class TextForm(FlaskForm):
    """A form whose every field must be text: a NUL character fails it (no database takes one)."""

    def validate(self, extra_validators: Any = None) -> bool:
        """The fields' own checks, then: no NUL anywhere."""
        valid = bool(super().validate(extra_validators))
        for field in self:
            if isinstance(field.data, str) and "\x00" in field.data:
                field.errors = [*field.errors, "Please use text only."]
                valid = False
        return valid


def strip(value: Any) -> Any:
    """Filter: surrounding white space never counts."""
    return value.strip() if isinstance(value, str) else value


def lower(value: Any) -> Any:
    """Filter: lowercase text."""
    return value.lower() if isinstance(value, str) else value


def single_line(_form: FlaskForm, field: Any) -> None:
    """Validator: plain text on one line."""
    if field.data and _CONTROL.search(field.data):
        raise ValidationError("Please use plain text on one line.")


def has_control_characters(text: str) -> bool:
    """True when multi-line text holds characters that are not text (tabs and newlines are)."""
    return bool(_BODY_CONTROL.search(text))


def email_address(_form: FlaskForm, field: Any) -> None:
    """Validator: something@somewhere.tld, when given."""
    if field.data and not _EMAIL.match(field.data):
        raise ValidationError("That does not look like an email address.")


def web_address(_form: FlaskForm, field: Any) -> None:
    """Validator: a full http(s) address, when given."""
    if not field.data:
        return
    parts = urlsplit(field.data)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname or " " in field.data:
        raise ValidationError("Please give a full web address starting with http:// or https://.")
