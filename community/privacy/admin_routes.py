"""Admin pages of the privacy feature: erasing an account on request, a group's retention periods, the register
of processing.

On privacy's own admin blueprint (``privacy_admin``, under ``/admin``), with the admin area's rule: admins only,
everyone else gets 404. ``privacy.wiring`` lists the register in the admin area's navigation (``core.admin_pages``).
"""

from __future__ import annotations

import csv
import io

from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from community.core.errors import NotFound
from community.core.forms import form_action
from community.groups.models import Group
from community.groups.policy import can_manage_groups
from community.privacy import admin_bp as bp
from community.privacy import erasure, forms, register, retention

Page = str | Response | tuple[str, int]


@bp.before_request
def admins_only() -> None:
    if not can_manage_groups(current_user):  # the admin area's rule (admin.policy.can_use_admin_area)
        raise NotFound(_("We could not find that page."))


@bp.route("/accounts/<int:user_id>/erase", methods=["GET", "POST"])
def account_erase(user_id: int) -> Page:
    person = erasure.open_account_to_erase(current_user, user_id)
    form = forms.AdminEraseForm()
    if form.validate_on_submit():
        with form_action(form, "reason", passes=()) as action:
            erasure.erase_by_admin(current_user, person, mode=form.mode.data or "", reason=form.reason.data or "")
        if action.ok:
            flash(_("The account is erased."), "success")
            return redirect(url_for("admin.account_list"), 303)
    held = erasure.held_for_open_matters(current_user, person)
    page = render_template("privacy/admin_erase.html", person=person, form=form, held=held)
    return page, 400 if form.errors else 200


@bp.route("/groups/<int:group_id>/retention", methods=["GET", "POST"])
def group_retention(group_id: int) -> Page:
    """The form sits on the admin group page; this page shows it again with the reason when it is refused."""
    group = retention.open_group_retention(current_user, group_id)
    form = forms.RetentionForm(obj=None if request.method == "POST" else _RetentionValues(group))
    if form.validate_on_submit():
        with form_action(form, "chat_days", passes=()) as action:
            retention.set_group_retention(current_user, group, chat_days=form.chat_days.data,
                                          posts_days=form.posts_days.data)  # fmt: skip
        if action.ok:
            flash(_("The retention periods are saved."), "success")
            return redirect(url_for("admin.group_detail", group_id=group_id), 303)
    group = retention.open_group_retention(current_user, group_id)  # reloaded after a rollback
    return render_template("privacy/group_retention.html", group=group, form=form), 400 if form.errors else 200


class _RetentionValues:
    def __init__(self, group: Group) -> None:
        self.chat_days, self.posts_days = group.retention_chat_days, group.retention_posts_days


@bp.route("/privacy/register")
def processing_register() -> str:
    return render_template("privacy/register.html", activities=register.activities(), fields=register.FIELDS)


@bp.route("/privacy/register.csv")
def processing_register_csv() -> Response:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([key for key, _label in register.FIELDS])
    for activity in register.activities():
        writer.writerow([activity.get(key, "") for key, _label in register.FIELDS])
    response = Response(out.getvalue(), mimetype="text/csv")
    response.headers["Content-Disposition"] = 'attachment; filename="register-of-processing.csv"'
    return response


@bp.route("/privacy/register.md")
def processing_register_md() -> Response:
    return Response(register.as_markdown(), mimetype="text/markdown; charset=utf-8")
