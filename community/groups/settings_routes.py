"""HTTP adapter: a group's name, description and settings, for its group manager (admins use the admin area).

The rules live in ``services.update_group`` and ``policy.can_edit_group``; the kind of group stays the admin's.
"""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length

from community.core.forms import form_action, select_choices
from community.groups import bp, policy, services
from community.groups.labels import PREMODERATION_LABELS

Page = str | Response | tuple[str, int]


class GroupSettingsForm(FlaskForm):
    name = StringField(_l("Name"), validators=[Length(max=200)])
    description = TextAreaField(_l("Description (members see it)"), validators=[Length(max=2000)])
    premoderation = SelectField(
        _l("Which posts does a moderator check before others see them?"),
        choices=select_choices(PREMODERATION_LABELS.items()),
        validate_choice=False,
    )
    member_messages_allowed = BooleanField(_l("Members may send each other private messages"))
    moderators_can_invite = BooleanField(_l("Moderators may invite people to this group"))
    outreach_allowed = BooleanField(_l("The group's staff may write to a member first (the member can decline)"))
    slow_mode_seconds = IntegerField(
        _l("Slow mode: seconds between two chat messages of one person (0 is off)"),
        validators=[InputRequired(message=_l("Enter a number of seconds, 0 for off."))],
    )


@bp.route("/g/<slug>/settings", methods=["GET", "POST"])
def group_settings(slug: str) -> Page:
    access = services.open_group(current_user, slug)
    group = access.group
    if not policy.can_edit_group(current_user, group, access.membership):
        abort(404)
    form = GroupSettingsForm(formdata=None, obj=group) if request.method == "GET" else GroupSettingsForm()
    if form.validate_on_submit():
        with form_action(form, "name", passes=()) as action:
            services.update_group(
                current_user,
                group,
                name=form.name.data,
                description=form.description.data or "",
                premoderation=form.premoderation.data,
                member_messages_allowed=form.member_messages_allowed.data,
                moderators_can_invite=form.moderators_can_invite.data,
                slow_mode_seconds=form.slow_mode_seconds.data,
                outreach_allowed=form.outreach_allowed.data,
            )
        if action.ok:
            flash(_("The group settings are saved."), "success")
            return redirect(url_for("groups.group_settings", slug=slug), 303)
    page = render_template("groups/settings.html", group=group, form=form)
    return (page, 400) if form.errors else page
