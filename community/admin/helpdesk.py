"""HTTP adapters for the help desk: helping one person back in (two-step reset, a one-time sign-in link, admin
granted or revoked) and the scheduled jobs' status. Admins only (the blueprint's ``admins_only`` answers 404 to
everyone else); each change is a CSRF-checked POST with a reason, audited by the service it calls.
"""

from __future__ import annotations

from flask import Response, flash, redirect, render_template, url_for
from flask_babel import format_timedelta
from flask_babel import gettext as _
from flask_login import current_user

from community.admin import bp, forms, queries
from community.auth import help_desk, two_factor
from community.core import jobs
from community.core.forms import form_action

Page = str | Response | tuple[str, int]
ACTIONS = ("two_factor", "link", "grant", "revoke")


def _help_page(person: object, failed: str | None = None, form: forms.ReasonForm | None = None) -> Page:
    """The person's help-desk page; ``failed`` names the action whose ``form`` was refused (shown with its input)."""
    action_forms = {name: forms.ReasonForm(prefix=name, formdata=None) for name in ACTIONS}
    if failed and form is not None:
        action_forms[failed] = form
    page = render_template(
        "admin/account_help.html",
        person=person,
        two_factor_on=two_factor.is_enabled(person),
        forms=action_forms,
    )
    return (page, 400) if failed else page


@bp.route("/accounts/<int:user_id>/help")
def account_help(user_id: int) -> Page:
    return _help_page(queries.user_or_404(user_id))


@bp.route("/accounts/<int:user_id>/help/two-factor-reset", methods=["POST"])
def account_two_factor_reset(user_id: int) -> Page:
    person = queries.user_or_404(user_id)
    form = forms.ReasonForm(prefix="two_factor")
    if form.validate_on_submit():
        with form_action(form) as action:
            help_desk.reset_two_factor(current_user, person, form.reason.data)
        if action.ok:
            flash(
                _("Two-step sign-in of %(name)s is reset, and they are signed out.", name=person.display_name),
                "success",
            )
            return redirect(url_for("admin.account_help", user_id=user_id))
    return _help_page(queries.user_or_404(user_id), "two_factor", form)


@bp.route("/accounts/<int:user_id>/help/sign-in-link", methods=["POST"])
def account_sign_in_link(user_id: int) -> Page:
    person = queries.user_or_404(user_id)
    form = forms.ReasonForm(prefix="link")
    if form.validate_on_submit():
        with form_action(form) as action:
            link = help_desk.issue_sign_in_link(current_user, person, form.reason.data)
        if action.ok:
            # Shown once, on this answer only: never stored, never in a redirect's address.
            page = render_template("admin/sign_in_link.html", person=person, link=link)
            return Response(page, headers={"Cache-Control": "no-store"})
    return _help_page(queries.user_or_404(user_id), "link", form)


@bp.route("/accounts/<int:user_id>/help/admin/<any(grant, revoke):change>", methods=["POST"])
def account_admin_role(user_id: int, change: str) -> Page:
    person = queries.user_or_404(user_id)
    form = forms.ReasonForm(prefix=change)
    if form.validate_on_submit():
        with form_action(form) as action:
            (help_desk.grant_admin if change == "grant" else help_desk.revoke_admin)(
                current_user, person, form.reason.data
            )
        if action.ok:
            if change == "grant":
                flash(_("%(name)s is now an admin, and signed out.", name=person.display_name), "success")
            else:
                flash(_("%(name)s is no longer an admin, and signed out.", name=person.display_name), "success")
            return redirect(url_for("admin.account_help", user_id=user_id))
    return _help_page(queries.user_or_404(user_id), change, form)


@bp.route("/jobs")
def job_status() -> str:
    return render_template(
        "admin/jobs.html", jobs=jobs.status(), format_time=queries.format_time, format_timedelta=format_timedelta
    )
