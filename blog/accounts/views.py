"""Accounts from the web: signing in and out, one's own profile, and (editors) the authors."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user
from werkzeug.wrappers import Response

from blog.accounts import profile as profiles
from blog.accounts import service, team
from blog.accounts.forms import InviteForm, JoinForm, PasswordForm, ProfileForm, SignInForm
from blog.core import ratelimit
from blog.core.models import Author, Role
from blog.core.security import current_author, same_site_path
from blog.core.web import Refused, parse_id, refusal_response, render_page
from blog.extensions import db

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


def _authors_page(
    refused: Refused | None = None, invite_form: InviteForm | None = None
) -> Response | str:
    html = render_page(
        "accounts/authors.html",
        "content",
        rows=service.authors_with_post_counts(),
        roles=list(Role),
        refused=refused,
        invite_form=invite_form or InviteForm(formdata=None),
        invites=team.pending_invites(),
        # The link exists only in the answer to the invitation; the session carries it across
        # the redirect and forgets it once shown.
        new_link=session.pop("invite_link", None),
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


@bp.post("/invites")
@login_required
def invite() -> Response | str:
    """Make a one-time link for a new author (editors only); it is shown once."""
    _editor_only()
    form = InviteForm()
    try:
        if not form.validate():
            raise Refused("No invitation made: please check the marked fields.", 422)
        made = team.invite(form.email.data or "", Role(form.role.data), current_author())
    except Refused as refused:
        if refused.field:
            getattr(form, refused.field).errors = [refused.message]
        return _authors_page(refused, form)
    session["invite_link"] = url_for("accounts.join", token=made.token, _external=True)
    flash(f"Invitation made for {made.invite.email}: hand them the link below.", "success")
    return redirect(url_for("accounts.authors") + "#new-invite", 303)


@bp.post("/invites/<int:invite_id>/withdraw")
@login_required
def withdraw_invite(invite_id: int) -> Response:
    """Make an unused invitation's link useless (editors only)."""
    _editor_only()
    team.withdraw(invite_id)
    flash("The invitation is withdrawn: its link no longer works.", "success")
    return redirect(url_for("accounts.authors"), 303)


@bp.route("/join/<token>", methods=["GET", "POST"])
def join(token: str) -> Response | str:
    """Someone with an invitation chooses a name and password, and is signed in."""
    form = JoinForm()
    invitation = None
    try:
        invitation = team.open_invite(token)
        if request.method == "GET":
            return render_page("accounts/join.html", "content", form=form, invite=invitation)
        if not form.validate():
            raise Refused("No account yet: please check the marked fields.", 422)
        author = team.accept(token, name=form.name.data or "", password=form.password.data or "")
    except Refused as refused:
        if refused.field:
            getattr(form, refused.field).errors = [refused.message]
        gone = refused.status in (404, 409, 410)
        html = render_page(
            "accounts/join.html",
            "content",
            form=form,
            invite=None if gone else invitation,
            refused=refused,
        )
        return refusal_response(refused, html)
    if current_user.is_authenticated:
        service.end_session(current_user)
        logout_user()
    session.clear()
    login_user(service.start_session(author))
    flash(f"Welcome, {author.name}. Your account is ready.", "success")
    return redirect(url_for("authoring.dashboard"), 303)


@bp.route("/authors/<int:author_id>/remove", methods=["GET", "POST"])
@login_required
def remove(author_id: int) -> Response | str:
    """Ask who takes over an author's posts, then remove the account (editors only)."""
    _editor_only()
    author = db.session.get(Author, author_id)
    if author is None:
        abort(404)
    refused = None
    if request.method == "POST":
        try:
            heir = parse_id(request.form.get("heir"))
            name, moved = team.remove_author(author_id, heir, current_author())
        except Refused as error:
            if error.status == 404:
                abort(404)
            refused = error
        else:
            given = f"; their {moved} post(s) are now someone else's" if moved else ""
            flash(f"{name} is removed{given}.", "success")
            return redirect(url_for("accounts.authors"), 303)
    html = render_page(
        "accounts/remove.html",
        "content",
        author=author,
        posts=team.post_count(author),
        others=team.other_authors(author.id),
        refused=refused,
    )
    return refusal_response(refused, html) if refused else html


def _profile_page(
    profile_form: ProfileForm | None = None,
    password_form: PasswordForm | None = None,
    refused: Refused | None = None,
) -> Response | str:
    signed_in = current_user
    html = render_page(
        "accounts/profile.html",
        "content",
        profile_form=profile_form or ProfileForm(formdata=None, obj=signed_in.author),
        password_form=password_form or PasswordForm(formdata=None),
        sessions=profiles.open_sessions(signed_in),
        refused=refused,
    )
    return refusal_response(refused, html) if refused else html


@bp.route("/profile", methods=["GET", "POST"])
@login_required
def profile() -> Response | str:
    """The signed-in author's name and bio, password and signed-in browsers."""
    if request.method == "GET":
        return _profile_page()
    form = ProfileForm()
    if not form.validate():
        return _profile_page(
            form, refused=Refused("Not saved: please check the marked fields.", 422)
        )
    profiles.update_profile(current_author(), name=form.name.data or "", bio=form.bio.data or "")
    flash("Your profile is saved.", "success")
    return redirect(url_for("accounts.profile"), 303)


@bp.post("/password")
@login_required
def change_password() -> Response | str:
    """A new password, after the current one; the author's other sessions end."""
    form = PasswordForm()
    try:
        if not form.validate():
            raise Refused("Password not changed: please check the marked fields.", 422)
        ended = profiles.change_password(
            current_user,
            form.current_password.data or "",
            form.new_password.data or "",
            ratelimit.client_key(),
        )
    except Refused as refused:
        if refused.field:
            getattr(form, refused.field).errors = [refused.message]
        return _profile_page(password_form=form, refused=refused)
    others = f" {ended} other session(s) are signed out." if ended else ""
    flash(f"Your password is changed.{others}", "success")
    return redirect(url_for("accounts.profile"), 303)


@bp.post("/sessions/end-others")
@login_required
def end_other_sessions() -> Response:
    """Sign out every other browser where this author is signed in."""
    ended = profiles.sign_out_others(current_user)
    flash(f"Signed out of {ended} other session(s).", "success")
    return redirect(url_for("accounts.profile"), 303)
