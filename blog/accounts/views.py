"""Signing authors in and out."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user
from werkzeug.wrappers import Response

from blog.accounts import service
from blog.accounts.forms import SignInForm
from blog.core import ratelimit
from blog.core.models import Role
from blog.core.security import current_author, same_site_path
from blog.core.web import Refused, refusal_response, render_page

bp = Blueprint("accounts", __name__, url_prefix="/account")

NOT_SIGNED_IN = "Please check the marked fields."


def _safe_next(target: str | None) -> str:
    """Where to go after signing in: a path on this site, else the dashboard."""
    return same_site_path(target) or url_for("authoring.dashboard")


@bp.after_app_request
def keep_sessions_alive(response: Response) -> Response:
    """After any request of a signed-in author, note the activity (idle sessions expire)."""
    if request.endpoint == "static" or response.status_code >= 500:
        return response
    if current_user.is_authenticated:
        service.note_activity(current_user)
    return response


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
    if request.method == "GET":
        return render_page("accounts/sign_in.html", "content", form=form, message=None)
    try:
        if not form.validate():
            raise Refused(NOT_SIGNED_IN, 422)
        author = service.authenticate(
            form.email.data or "", form.password.data or "", ratelimit.client_key()
        )
    except Refused as refused:
        # Field errors speak for themselves; only a refused sign-in gets a message on top.
        message = None if form.errors else refused.message
        html = render_page(
            "accounts/sign_in.html",
            "content",
            form=form,
            message=message,
            retry_after=refused.retry_after,
        )
        return refusal_response(refused, html)
    target = _safe_next(request.args.get("next"))
    # A new session for a new sign-in: nothing from before survives it.
    session.clear()
    login_user(service.start_session(author))
    flash(f"Welcome back, {author.name}.", "success")
    return redirect(target, 303)


@bp.post("/sign-out")
@login_required
def sign_out() -> Response:
    """End the session on the server and in the browser."""
    service.end_session(current_user)
    logout_user()
    session.clear()
    flash("You are signed out.", "success")
    return redirect(url_for("reading.home"), 303)


def _editor_only() -> None:
    """Author accounts are the editors' business: anyone else finds nothing here."""
    if not current_author().is_editor:
        abort(404)


def _authors_page(refused: Refused | None = None) -> Response | str:
    html = render_page(
        "accounts/authors.html",
        "content",
        rows=service.authors_with_post_counts(),
        roles=list(Role),
        refused=refused,
    )
    return refusal_response(refused, html) if refused else html


@bp.get("/authors")
@login_required
def authors() -> Response | str:
    """Every author account with its role and posts (editors only)."""
    _editor_only()
    return _authors_page()


@bp.post("/authors/<int:author_id>/role")
@login_required
def set_role(author_id: int) -> Response | str:
    """Make an account an editor or an author (editors only)."""
    _editor_only()
    try:
        role = Role(request.form.get("role", ""))
        author = service.change_role(author_id, role)
    except ValueError:
        return _authors_page(Refused("Choose editor or author.", 422))
    except Refused as refused:
        if refused.status == 404:
            abort(404)
        return _authors_page(refused)
    flash(f"{author.name} is now {'an editor' if author.is_editor else 'an author'}.", "success")
    return redirect(url_for("accounts.authors"), 303)
