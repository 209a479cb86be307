"""The accounts' forms: signing in, the profile, a new password, invitations."""

from __future__ import annotations

from wtforms import EmailField, PasswordField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, EqualTo, Length

from blog.core.forms import TextForm, email_address, lower, single_line, strip
from blog.core.models import Limits, Role


class SignInForm(TextForm):
    """Email and password."""

    email = EmailField(
        "Email",
        validators=[DataRequired("Please give your email."), Length(max=Limits.AUTHOR_EMAIL)],
    )
    password = PasswordField(
        "Password",
        validators=[DataRequired("Please give your password."), Length(max=Limits.PASSWORD)],
    )


def _name_field() -> StringField:
    return StringField(
        "Name",
        description="Shown on your posts and on your replies to comments.",
        filters=[strip],
        validators=[
            DataRequired("Please give your name."),
            Length(max=Limits.AUTHOR_NAME, message=f"At most {Limits.AUTHOR_NAME} characters."),
            single_line,
        ],
    )


def _new_password_fields(label: str, name: str) -> tuple[PasswordField, PasswordField]:
    """A password to choose (the field called `name`) and the same typed again."""
    chosen = PasswordField(
        label,
        validators=[
            DataRequired("Please choose a password."),
            Length(max=Limits.PASSWORD, message=f"At most {Limits.PASSWORD} characters."),
        ],
    )
    again = PasswordField(
        "The same password again",
        validators=[
            DataRequired("Please type the password again."),
            EqualTo(name, "The two passwords are not the same."),
        ],
    )
    return chosen, again


class ProfileForm(TextForm):
    """What readers see of an author: name and a short bio."""

    name = _name_field()
    bio = TextAreaField(
        "Bio",
        description="A sentence or two about you, shown on your author page.",
        filters=[strip],
        validators=[
            Length(max=Limits.AUTHOR_BIO, message=f"At most {Limits.AUTHOR_BIO} characters.")
        ],
    )


class PasswordForm(TextForm):
    """A new password, given with the current one."""

    current_password = PasswordField(
        "Current password",
        validators=[
            DataRequired("Please give your current password."),
            Length(max=Limits.PASSWORD),
        ],
    )
    new_password, confirm = _new_password_fields("New password", "new_password")


class InviteForm(TextForm):
    """Who an editor invites, and as what."""

    email = EmailField(
        "Email of the new author",
        filters=[strip, lower],
        validators=[
            DataRequired("Please give their email."),
            Length(max=Limits.AUTHOR_EMAIL),
            email_address,
        ],
    )
    role = SelectField(
        "Role",
        choices=[
            SelectChoice(Role.AUTHOR.value, "Author"),
            SelectChoice(Role.EDITOR.value, "Editor"),
        ],
        default=Role.AUTHOR.value,
    )


class JoinForm(TextForm):
    """What someone with an invitation chooses: their name and password."""

    name = _name_field()
    password, confirm = _new_password_fields("Password", "password")
