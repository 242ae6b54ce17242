"""HTTP adapter: a group's name, description and settings, for its group manager (admins use the admin area).

The rules live in ``services.update_group`` and ``policy.can_edit_group``; the kind of group stays the admin's.
"""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from community.core.forms import form_action
from community.groups import bp, policy, services
from community.groups.forms import GroupSettingsForm

Page = str | Response | tuple[str, int]


@bp.route("/g/<slug>/settings", methods=["GET", "POST"])
def group_settings(slug: str) -> Page:
    access = services.open_group(current_user, slug)
    group = access.group
    if not policy.can_edit_group(current_user, group, access.membership):
        abort(404)
    form = GroupSettingsForm(formdata=None, obj=group) if request.method == "GET" else GroupSettingsForm()
    if form.validate_on_submit():
        with form_action(form, "name", passes=()) as action:
            services.update_group(current_user, group, **form.settings())
        if action.ok:
            flash(_("The group settings are saved."), "success")
            return redirect(url_for("groups.group_settings", slug=slug), 303)
    page = render_template("groups/settings.html", group=group, form=form)
    return (page, 400) if form.errors else page
