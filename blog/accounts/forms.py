"""The sign-in form."""

from __future__ import annotations

from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, Length

from blog.core.forms import TextForm
from blog.core.models import Limits


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
