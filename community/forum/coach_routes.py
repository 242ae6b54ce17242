"""HTTP adapters for the coach's tools: pinning a topic, and announcements (the moderators' page, ending one, a
member putting one away), plus the announcements section of the group page (``groups.page_sections``).

Each route opens the group (404 for a group the member is not in), calls one service, commits once, and
redirects or shows the form again with the input kept (HTTP 400).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import to_user_timezone, to_utc
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import DateTimeLocalField, StringField, TextAreaField
from wtforms.validators import Optional

from community.auth.models import User
from community.core.forms import form_action
from community.core.time import utcnow
from community.extensions import db
from community.forum import bp, coach, policy
from community.groups.services import GroupAccess, open_group

Page = str | Response | tuple[str, int]


class AnnouncementForm(FlaskForm):
    # Lengths are checked by coach.create_announcement, with a message that says what to do.
    title = StringField(_l("Title"), render_kw={"autocomplete": "off"})
    body = TextAreaField(_l("What you want every member to read"), render_kw={"rows": 8})
    # In the site's local time (Flask-Babel's zone); empty: at once.
    publish_at = DateTimeLocalField(_l("Show it from (optional)"), format="%Y-%m-%dT%H:%M", validators=[Optional()])

    def publish_at_utc(self) -> datetime | None:
        return to_utc(self.publish_at.data) if self.publish_at.data else None


def group_page_announcements(viewer: User, access: GroupAccess, _args: Mapping[str, str]) -> dict[str, Any]:
    """The announcements section at the top of a group's page (``groups.page_sections``): what the member has
    not dismissed (one bounded query) and whether to link to the moderators' page."""
    return {
        "announcements": coach.current_announcements(viewer, access),
        "may_manage": policy.is_acting_moderator(viewer, access.group, access.membership),
    }


# --- pinning ---------------------------------------------------------------------------------------------------


@bp.route("/g/<slug>/t/<int:topic_id>/<any(pin, unpin):action>", methods=["POST"])
def topic_pin(slug: str, topic_id: int, action: str) -> Response:
    access = open_group(current_user, slug)
    coach.set_pinned(current_user, access, topic_id, pinned=action == "pin")
    db.session.commit()
    message = _("The topic is pinned: it is listed first.") if action == "pin" else _("The topic is no longer pinned.")
    flash(message, "success")
    return redirect(url_for("forum.topic_page", slug=slug, topic_id=topic_id), 303)


@bp.route("/g/<slug>/announcements", methods=["GET", "POST"])
def announcements_page(slug: str) -> Page:
    """The moderators' page: make an announcement, see the running and recent ones, end one."""
    access = open_group(current_user, slug)
    items = coach.announcements_for_moderators(current_user, access)  # refuses anyone but the moderators
    form, form_error = AnnouncementForm(), None
    if form.validate_on_submit():
        # Refused or not found: an error page, not a form to correct. A reason about no field: at the top.
        with form_action(form, flash_unplaced=False) as action:
            made = coach.create_announcement(
                current_user, access, title=form.title.data, body=form.body.data, publish_at=form.publish_at_utc()
            )
        form_error = action.message
        if action.ok:
            if made.publish_at:
                flash(_("Your announcement is scheduled. It will show at the top of the group page from then."),
                      "success")  # fmt: skip
            else:
                flash(_("Your announcement is shown at the top of the group page."), "success")
            return redirect(url_for("forum.announcements_page", slug=slug), 303)
    elif "csrf_token" in form.errors:
        form_error = _("This form was open too long or was sent twice. Please send it again: your text is kept below.")
    html = render_template(
        "forum/announcements.html",
        now=utcnow(),
        access=access,
        items=items,
        form=form,
        form_error=form_error,
        may_announce=policy.can_announce(current_user, access.group, access.membership),
    )
    return html, 400 if request.method == "POST" else 200


@bp.route("/g/<slug>/announcements/<int:announcement_id>/edit", methods=["GET", "POST"])
def announcement_edit(slug: str, announcement_id: int) -> Page:
    """Change a scheduled announcement (its words and its time) before it is shown."""
    access = open_group(current_user, slug)
    announcement = coach.scheduled_announcement(current_user, access, announcement_id)
    form, form_error = AnnouncementForm(), None
    if request.method == "GET":
        local = to_user_timezone(announcement.publish_at).replace(tzinfo=None)  # stored UTC, typed local
        form = AnnouncementForm(
            data={"title": announcement.title, "body": announcement.body_source, "publish_at": local}
        )
    elif form.validate_on_submit():
        with form_action(form, flash_unplaced=False) as action:
            coach.update_scheduled_announcement(
                current_user, access, announcement_id, title=form.title.data, body=form.body.data,
                publish_at=form.publish_at_utc(),
            )  # fmt: skip
        form_error = action.message
        if action.ok:
            flash(_("The announcement is changed."), "success")
            return redirect(url_for("forum.announcements_page", slug=slug), 303)
    elif "csrf_token" in form.errors:
        form_error = _("This form was open too long or was sent twice. Please send it again: your text is kept below.")
    html = render_template(
        "forum/announcement_edit.html", access=access, announcement=announcement, form=form, form_error=form_error
    )
    return html, 400 if request.method == "POST" else 200


@bp.route("/g/<slug>/announcements/<int:announcement_id>/end", methods=["POST"])
def announcement_end(slug: str, announcement_id: int) -> Response:
    access = open_group(current_user, slug)
    coach.end_announcement(current_user, access, announcement_id)
    db.session.commit()
    flash(_("The announcement has ended. Nobody sees it any more."), "success")
    return redirect(url_for("forum.announcements_page", slug=slug), 303)


@bp.route("/g/<slug>/announcements/<int:announcement_id>/dismiss", methods=["POST"])
def announcement_dismiss(slug: str, announcement_id: int) -> Response:
    access = open_group(current_user, slug)
    coach.dismiss_announcement(current_user, access, announcement_id)
    db.session.commit()
    flash(_("The announcement is put away. You will not see it again."), "success")
    return redirect(url_for("groups.group_page", slug=slug), 303)
