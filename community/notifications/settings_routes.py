"""HTTP adapters: the member's notification settings and the admin's list of refused addresses (muting a topic is
the forum's: ``forum.preference_routes.mute_topic``)."""

from __future__ import annotations

from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from community.core.errors import DomainError
from community.core.forms import form_action
from community.extensions import db
from community.groups.services import memberships_of
from community.notifications import bp, mail_admin, preferences, vapid
from community.notifications.kinds import EMAIL_MODES, KINDS


def _settings_page(error: DomainError | None = None, status: int = 200):
    accesses = memberships_of(current_user)
    group_rows = preferences.group_settings(current_user.id, [access.group.id for access in accesses])
    settings = preferences.settings_of(current_user.id)
    page = render_template(
        "notifications/settings.html", kinds=KINDS, chosen=preferences.kind_preferences(current_user.id),
        email_modes=EMAIL_MODES, accesses=accesses, group_rows=group_rows, settings=settings, error=error,
        form=request.form if error else None, vapid_public_key=vapid.browser_key(),
    )  # fmt: skip
    return page, status


@bp.route("/notifications/settings")
def settings_page():
    return _settings_page()


@bp.route("/notifications/settings", methods=["POST"])
def save_settings():
    form = request.form
    with form_action(flash_unplaced=False) as action:  # not found / forbidden: the error page, not the form
        preferences.save_kind_preferences(
            current_user,
            # A kind the form did not send keeps its setting (the page always sends them all).
            [
                (name, form.get(f"in_app_{name}") == "1", form[f"email_{name}"])
                for name in KINDS
                if f"email_{name}" in form
            ],
        )
        if form.get("push_shown"):  # the page's push column (a form without it keeps the push settings)
            preferences.save_push_preferences(
                current_user, {name: form.get(f"push_{name}") == "1" for name in KINDS if f"email_{name}" in form}
            )
            preferences.save_push_group_name(current_user, form.get("push_group_name") == "1")
        preferences.save_quiet_hours(current_user, form.get("quiet_start", ""), form.get("quiet_end", ""))
        for access in memberships_of(current_user):
            email = form.get(f"group_email_{access.group.id}", "")
            preferences.set_group_setting(
                current_user, access.group, muted=form.get(f"group_muted_{access.group.id}") == "1",
                email=email or None, new_topics=form.get(f"group_new_topics_{access.group.id}") == "1",
            )  # fmt: skip
    if action.error:
        return _settings_page(action.error, 400)
    flash(_("Your notification settings are saved."), "success")
    return redirect(url_for("notifications.settings_page"), 303)


@bp.route("/admin/mail-problems")
def mail_problems() -> str:
    rows = mail_admin.list_problems(current_user)  # Forbidden for anyone but an admin
    return render_template("notifications/mail_problems.html", rows=rows, counts=mail_admin.outbox_summary())


@bp.route("/admin/mail-problems/<int:user_id>/clear", methods=["POST"])
def clear_mail_problem(user_id: int) -> Response:
    mail_admin.clear_problem(current_user, user_id)
    db.session.commit()
    flash(_("The address will be tried again."), "success")
    return redirect(url_for("notifications.mail_problems"), 303)
