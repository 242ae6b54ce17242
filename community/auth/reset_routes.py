"""HTTP adapters for password reset: ask for a link, open it, choose a new password. Public on purpose."""

from __future__ import annotations

from flask import Response, flash, redirect, render_template, session, url_for
from flask_babel import gettext as _

from community.auth import account, bp, reset, two_factor
from community.auth.models import User
from community.auth.reset_forms import NewPasswordForm, ResetRequestForm
from community.auth.routes import begin_session
from community.core.errors import DomainError
from community.core.security import public, token_page
from community.extensions import db, limiter


def _sign_in_after_link(user: User) -> Response:
    """After a help-desk link: signed in with the new password, but never past two-step sign-in."""
    if two_factor.is_enabled(user):
        session[two_factor.PENDING_KEY] = two_factor.new_pending(user.id, url_for("groups.home"))
        flash(_("Your new password is saved. Now enter the code from your app."), "success")
        return redirect(url_for("auth.two_factor_challenge"))
    begin_session(user)
    flash(_("Your new password is saved, and you are signed in."), "success")
    return redirect(url_for("groups.home"))


def _link_not_valid(error: DomainError) -> tuple[str, int]:
    return render_template("auth/reset_invalid.html", message=error.message), error.status_code


@bp.route("/reset-password", methods=["GET", "POST"])
@public
@limiter.limit("5 per minute;30 per hour", methods=["POST"])
def request_password_reset() -> str | tuple[str, int]:
    form = ResetRequestForm()
    if form.validate_on_submit():
        reset.request_reset(form.login.data)
        db.session.commit()
        # One answer for every case, so this page never tells whether an account exists.
        return render_template("auth/reset_sent.html")
    return render_template("auth/reset_request.html", form=form), 200 if not form.errors else 400


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
@public
@token_page
@limiter.limit("10 per minute", methods=["POST"])
def reset_password(token: str) -> str | Response | tuple[str, int]:
    try:
        signs_in = reset.check_reset_token(token).issued_by_id is not None  # an admin's link for someone without e-mail
    except DomainError as error:
        return _link_not_valid(error)
    form = NewPasswordForm()
    if form.validate_on_submit():
        try:
            user = reset.complete_reset(token, form.password.data, form.password_again.data)
        except DomainError as error:
            db.session.rollback()
            if error.field is None:
                return _link_not_valid(error)
            getattr(form, error.field, form.password).errors = [error.message]
        else:
            db.session.commit()
            account.disconnect_user_sockets(user.id)
            session.clear()  # this browser too: it signs in again with the new password
            if signs_in:
                return _sign_in_after_link(user)
            flash(_("Your new password is saved, and you are signed out everywhere. Sign in with it now."), "success")
            return redirect(url_for("auth.login"))
    return render_template("auth/reset_password.html", form=form), 200 if not form.errors else 400
