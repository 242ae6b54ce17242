"""HTTP adapters for two-step sign-in: setting it up, recovery codes, turning it off, and the second step of
signing in. Also the staff rule: when it is required, staff set it up before they can use anything else."""

from __future__ import annotations

import segno
from flask import Response, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from markupsafe import Markup
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from community.auth import bp, two_factor
from community.auth.routes import begin_session
from community.core.errors import DomainError
from community.core.forms import form_action, put_error_on_field
from community.core.security import public, safe_next
from community.extensions import db, limiter

# Signed-in staff who must set up two-step sign-in may open only these until they have.
ENROLMENT_ENDPOINTS = {"auth.two_factor_settings", "auth.two_factor_enrol", "auth.logout", "static"}


class CodeForm(FlaskForm):
    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=32)])


class DisableForm(FlaskForm):
    password = PasswordField(_l("Your password"), validators=[DataRequired(), Length(max=128)])
    code = StringField(_l("Code from your app, or a recovery code"), validators=[DataRequired(), Length(max=32)])


def _required_setting() -> bool:
    return bool(current_app.config.get("STAFF_TWO_FACTOR_REQUIRED"))


def _qr_svg_html(uri: str) -> Markup:
    """The QR code as inline SVG markup, made here from our own otpauth URI (no member text in it)."""
    svg = segno.make(uri, error="m").svg_inline(
        scale=4, dark="#000000", light="#ffffff", title=_("QR code for your authenticator app")
    )
    return Markup(svg)  # noqa: S704 (segno's output for a URI we built; nothing a person typed)


@bp.before_app_request
def require_staff_two_factor() -> Response | None:
    if request.endpoint in ENROLMENT_ENDPOINTS or not current_user.is_authenticated:
        return None
    if not two_factor.must_enrol(current_user, _required_setting()):
        return None
    flash(_("Staff accounts need two-step sign-in. Please set it up to go on."), "info")
    return redirect(url_for("auth.two_factor_enrol"))


@bp.route("/account/two-factor")
def two_factor_settings() -> str:
    return render_template(
        "auth/two_factor.html",
        enabled=two_factor.is_enabled(current_user),
        required=two_factor.is_required_for(current_user, _required_setting()),
        codes_left=two_factor.recovery_codes_left(current_user),
        form=CodeForm(),
    )


@bp.route("/account/two-factor/enrol", methods=["GET", "POST"])
def two_factor_enrol() -> str | Response | tuple[str, int]:
    if two_factor.is_enabled(current_user):
        return redirect(url_for("auth.two_factor_settings"))
    form = CodeForm()
    if form.validate_on_submit():
        with form_action(form, "code", passes=()) as action:
            codes = two_factor.confirm_enrolment(current_user, form.code.data)
        if action.ok:
            flash(_("Two-step sign-in is on."), "success")
            return render_template("auth/two_factor_codes.html", codes=codes)
    enrolment = two_factor.start_enrolment(current_user)
    db.session.commit()  # keep the secret, so the code scanned now still works after a reload
    return render_template(
        "auth/two_factor_enrol.html",
        form=form,
        secret=" ".join(enrolment.secret[i : i + 4] for i in range(0, len(enrolment.secret), 4)),
        qr_svg_html=_qr_svg_html(enrolment.uri),
    ), 400 if form.errors else 200


@bp.route("/account/two-factor/recovery-codes", methods=["POST"])
def two_factor_recovery_codes() -> str | tuple[str, int]:
    form = CodeForm()
    if form.validate_on_submit():
        with form_action(form, "code", passes=()) as action:
            codes = two_factor.regenerate_recovery_codes(current_user, form.code.data)
        if action.ok:
            flash(_("You have new recovery codes. The old ones no longer work."), "success")
            return render_template("auth/two_factor_codes.html", codes=codes)
    return render_template(
        "auth/two_factor.html",
        enabled=two_factor.is_enabled(current_user),
        required=two_factor.is_required_for(current_user, _required_setting()),
        codes_left=two_factor.recovery_codes_left(current_user),
        form=form,
    ), 400


@bp.route("/account/two-factor/disable", methods=["GET", "POST"])
def two_factor_disable() -> str | Response | tuple[str, int]:
    if not two_factor.is_enabled(current_user):
        return redirect(url_for("auth.two_factor_settings"))
    form = DisableForm()
    if form.validate_on_submit():
        with form_action(form, "code", passes=()) as action:
            two_factor.disable(
                current_user, password=form.password.data, code=form.code.data, required_setting=_required_setting()
            )
        if action.ok:
            flash(_("Two-step sign-in is off."), "success")
            return redirect(url_for("auth.two_factor_settings"))
    required = two_factor.is_required_for(current_user, _required_setting())
    return render_template("auth/two_factor_disable.html", form=form, required=required), (400 if form.errors else 200)


def _pending_account_key() -> str:
    """Rate-limit key per account for the second step, so many addresses cannot share out the guessing."""
    pending = session.get(two_factor.PENDING_KEY)
    uid = pending.get("uid") if isinstance(pending, dict) else None
    return f"2fa-account:{uid}" if uid else f"2fa-ip:{request.remote_addr}"


def _back_to_sign_in(message: str) -> Response:
    session.pop(two_factor.PENDING_KEY, None)
    flash(message, "info")
    return redirect(url_for("auth.login"))


@bp.route("/login/two-factor", methods=["GET", "POST"])
@public  # reached between the password and the code, before a session exists
@limiter.limit("10 per minute", methods=["POST"])
@limiter.limit("30 per hour", methods=["POST"], key_func=_pending_account_key)
def two_factor_challenge() -> str | Response | tuple[str, int]:
    pending = session.get(two_factor.PENDING_KEY)
    if not two_factor.pending_is_fresh(pending):
        return _back_to_sign_in(_("Your sign-in took too long. Please sign in again."))
    form = CodeForm()
    if form.validate_on_submit():
        try:
            result = two_factor.check_sign_in_code(pending["uid"], form.code.data)
        except two_factor.PendingSignInInvalid as error:
            db.session.rollback()
            return _back_to_sign_in(error.message)
        except DomainError as error:
            db.session.commit()  # the wrong code is counted on the account
            pending["tries"] = int(pending.get("tries", 0)) + 1
            if pending["tries"] >= two_factor.PENDING_TRIES:
                return _back_to_sign_in(_("That was too many wrong codes. Please sign in again."))
            session[two_factor.PENDING_KEY] = pending
            put_error_on_field(form, error, "code")
        else:
            db.session.commit()
            begin_session(result.user)  # clears the pending marker with the rest of the old session
            if result.used_recovery_code:
                flash(
                    _("You used a recovery code. You have %(count)d left.", count=result.recovery_codes_left),
                    "warning",
                )
            return redirect(safe_next(pending.get("next")))
    return render_template("auth/two_factor_challenge.html", form=form), 400 if form.errors else 200
