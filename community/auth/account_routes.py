"""HTTP adapters for the member's own account (profile, password, sessions). Other members' profiles are
groups' (``groups.profile_routes``); the content-warning choices are the forum's."""

from __future__ import annotations

from flask import Response, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from community.auth import account, bp
from community.auth import sessions as auth_sessions
from community.auth.account_forms import PasswordChangeForm, ProfileForm
from community.auth.routes import begin_session  # the one way a browser gets a fresh session
from community.core.errors import DomainError
from community.core.forms import form_action, language_choices, put_error_on_field
from community.core.security import member_limit
from community.core.sessions import SESSION_TOKEN_KEY
from community.extensions import db, limiter


def _current_session_id() -> int | None:
    return auth_sessions.session_id_for_token(session.get(SESSION_TOKEN_KEY))


def _password_typed() -> bool:
    """A profile save checks the password only when one is typed (to change the e-mail address)."""
    return bool(request.form.get("current_password"))


@bp.route("/account/profile", methods=["GET", "POST"])
@member_limit("REAUTHENTICATE_RATE", "reauthenticate", methods=["POST"], exempt_when=lambda: not _password_typed())
def profile_edit() -> str | Response | tuple[str, int]:
    form = ProfileForm(obj=current_user)
    form.language.choices = language_choices()
    if form.validate_on_submit():
        notices: list[str] = []
        with form_action(form, "display_name", passes=()) as action:
            account.update_profile(
                current_user,
                display_name=form.display_name.data,
                pronouns=form.pronouns.data or "",
                bio=form.bio.data or "",
                language=form.language.data,
                email=form.email.data or None,
                current_password=form.current_password.data or "",
                notices=notices,
            )
        if action.ok:
            flash(_("Your profile is saved."), "success")
            for notice in notices:  # from the moderation pipeline (a helpline message)
                flash(notice, "notice")
            return redirect(url_for("auth.profile_edit"))
    return render_template("auth/account_profile.html", form=form), 400 if form.errors else 200


@bp.route("/account/password", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
@member_limit("REAUTHENTICATE_RATE", "reauthenticate", methods=["POST"])
def password_change() -> str | Response | tuple[str, int]:
    form = PasswordChangeForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        try:
            account.change_password(
                user,
                current_password=form.current_password.data,
                new_password=form.new_password.data,
                new_password_again=form.new_password_again.data,
            )
        except DomainError as error:
            db.session.rollback()
            put_error_on_field(form, error, "current_password")
        else:
            begin_session(user)  # commits: the password, every old session ended, the audit row, this new session
            account.disconnect_user_sockets(user.id)  # the pages reconnect with the new session
            flash(_("Your password is changed. You are signed out on all your other devices."), "success")
            return redirect(url_for("auth.profile_edit"))
    return render_template("auth/account_password.html", form=form), 400 if form.errors else 200


@bp.route("/account/sessions")
def sessions_list() -> str:
    sessions = account.list_sessions(current_user, _current_session_id())
    return render_template("auth/account_sessions.html", sessions=sessions)


@bp.route("/account/sessions/<int:session_id>/end", methods=["POST"])
def session_end(session_id: int) -> Response:
    is_current = session_id == _current_session_id()
    account.end_session(current_user, session_id)  # not theirs, or ended already: a 404 page
    db.session.commit()
    account.disconnect_session_sockets(session_id)
    if is_current:
        session.clear()
        flash(_("You are signed out."), "info")
        response = redirect(url_for("auth.login"))
        response.headers["Clear-Site-Data"] = '"cache", "storage"'
        return response
    flash(_("That session is ended. The device there is signed out."), "success")
    return redirect(url_for("auth.sessions_list"))


@bp.route("/account/sessions/end-others", methods=["POST"])
def sessions_end_others() -> Response:
    ended = account.end_other_sessions(current_user, _current_session_id())
    db.session.commit()
    for session_id in ended:
        account.disconnect_session_sockets(session_id)
    if ended:
        flash(ngettext("%(num)d other session is ended.", "%(num)d other sessions are ended.", len(ended)), "success")
    else:
        flash(_("You were not signed in anywhere else."), "info")
    return redirect(url_for("auth.sessions_list"))
