"""HTTP adapters for signing in and out and for the first admin's setup link."""

from __future__ import annotations

import time

from flask import Response, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user

from community.auth import bp, services, two_factor
from community.auth import sessions as auth_sessions
from community.auth.account import disconnect_session_sockets
from community.auth.forms import SetupForm, SignInForm
from community.core.errors import DomainError
from community.core.forms import form_action
from community.core.security import public, safe_next, token_page
from community.core.sessions import LAST_SEEN_KEY, SESSION_TOKEN_KEY
from community.extensions import db, limiter


def begin_session(user: object) -> None:
    """Sign a person in on a fresh server-side session (also used after accepting an invitation)."""
    session.clear()  # a fresh session on sign-in: no fixation
    token = auth_sessions.start_session(user, request.user_agent.string or "")
    db.session.commit()
    session[SESSION_TOKEN_KEY] = token
    session[LAST_SEEN_KEY] = int(time.time())
    session.permanent = True


@bp.route("/login", methods=["GET", "POST"])
@public
@limiter.limit(lambda: current_app.config["SIGN_IN_RATE"], methods=["POST"])
def login() -> str | Response:
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")))
    form = SignInForm()
    status = 200
    if form.validate_on_submit():
        try:
            user = services.authenticate(form.login.data, form.password.data)
        except DomainError as error:
            # A refusal changes no row, but the back-off may have queued a warning to the owner: it is sent
            # once this commits (core.mail.send_after_commit).
            db.session.commit()
            form.login.errors = [error.message]
            status = error.status_code  # 400, or 429 while the account is in back-off
        else:
            if two_factor.is_enabled(user):
                # Password right, but no session until the second step: only a short-lived marker.
                db.session.commit()  # keeps a rehashed password
                session.clear()
                session[two_factor.PENDING_KEY] = two_factor.new_pending(user.id, safe_next(request.args.get("next")))
                return redirect(url_for("auth.two_factor_challenge"))
            begin_session(user)
            return redirect(safe_next(request.args.get("next")))
    if form.errors and status == 200:
        status = 400
    return render_template("auth/login.html", form=form), status


@bp.route("/logout", methods=["POST"])
def logout() -> Response:
    token = session.get(SESSION_TOKEN_KEY)
    if token:
        session_id = auth_sessions.session_id_for_token(token)
        auth_sessions.end_session_by_token(token)
        db.session.commit()
        if session_id is not None:
            disconnect_session_sockets(session_id)  # after the commit: this browser's open sockets close now
    session.clear()
    response = redirect(url_for("auth.login"))
    response.headers["Clear-Site-Data"] = '"cache", "storage"'
    flash(_("You are signed out."), "info")
    return response


@bp.route("/setup/<token>", methods=["GET", "POST"])
@public
@token_page
@limiter.limit("10 per minute", methods=["POST"])
def setup(token: str) -> str | Response | tuple[str, int]:
    try:
        services.check_setup_token(token)
    except DomainError as error:
        return render_template("auth/setup_invalid.html", message=error.message), 404
    form = SetupForm()
    if form.validate_on_submit():
        with form_action(form, "username", passes=()) as action:
            user = services.complete_setup(
                token,
                username=form.username.data,
                display_name=form.display_name.data,
                password=form.password.data,
                email=form.email.data or None,
            )
        if action.ok:
            begin_session(user)
            flash(_("Welcome. Your admin account is ready."), "success")
            return redirect(url_for("groups.home"))
    return render_template("auth/setup.html", form=form), 200 if not form.errors else 400
