"""Signing authors in and out."""

from __future__ import annotations

from flask import Blueprint, flash, make_response, redirect, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, Length

from blog import accounts, ratelimit
from blog.templating import render_page

bp = Blueprint("auth", __name__, url_prefix="/account")


class SignInForm(FlaskForm):
    """Email and password."""

    email = EmailField(
        "Email", validators=[DataRequired("Please give your email."), Length(max=254)]
    )
    password = PasswordField(
        "Password", validators=[DataRequired("Please give your password."), Length(max=1024)]
    )


def authors_only(blueprint: Blueprint) -> None:
    """Send anyone not signed in to the sign-in page, for every view of `blueprint`."""

    @blueprint.before_request
    @login_required
    def require_author() -> None:
        """Only signed-in authors get past this point."""


def _safe_next(target: str | None) -> str:
    """Only a path on this site: never an open redirect to another host."""
    if target and target.startswith("/") and not target.startswith(("//", "/\\")):
        return target
    return url_for("editor.dashboard")


@bp.after_request
def no_store(response: Response) -> Response:
    """Sign-in pages are never cached."""
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in() -> Response | str:
    """The sign-in form; success opens a fresh session and goes where the author was headed."""
    if current_user.is_authenticated:
        return redirect(_safe_next(request.args.get("next")))
    form = SignInForm()
    message = None
    code = 200
    if request.method == "POST":
        if form.validate():
            try:
                author = accounts.authenticate(
                    form.email.data or "", form.password.data or "", ratelimit.client_key()
                )
            except accounts.SignInRefused as refused:
                message, code = refused.message, refused.status
                response = make_response(
                    render_page("sign_in.html", "content", form=form, message=message), code
                )
                if refused.retry_after:
                    response.headers["Retry-After"] = str(refused.retry_after)
                return response
            target = _safe_next(request.args.get("next"))
            # A new session for a new sign-in: nothing from before survives it.
            session.clear()
            login_user(accounts.start_session(author))
            flash(f"Welcome back, {author.name}.", "success")
            return redirect(target, 303)
        code = 422
    return make_response(render_page("sign_in.html", "content", form=form, message=message), code)


@bp.post("/sign-out")
@login_required
def sign_out() -> Response:
    """End the session on the server and in the browser."""
    accounts.end_session(current_user)  # type: ignore[arg-type]
    logout_user()
    session.clear()
    flash("You are signed out.", "success")
    return redirect(url_for("articles.home"), 303)
