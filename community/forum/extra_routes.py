"""HTTP adapters for reactions, pinning and announcements (the coach's tools).

Each route opens the group (404 for a group the member is not in), calls one service, commits once, and
redirects, answers JSON to reactions.js, or shows the form again with the input kept (HTTP 400).
"""

from __future__ import annotations

from typing import Any

from flask import Response, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField

from community.core.errors import DomainError
from community.core.forms import form_action
from community.core.security import member_key
from community.extensions import db, limiter
from community.forum import bp, coach, notices, policy, reactions
from community.forum.models import Announcement
from community.groups.services import GroupAccess, open_group

Page = str | Response | tuple[str, int] | tuple[Response, int]
REACTION_LABELS = {"hug": _l("Hug"), "me_too": _l("Me too"), "thank_you": _l("Thank you"), "strength": _l("Strength")}


class AnnouncementForm(FlaskForm):
    # Lengths are checked by coach.create_announcement, with a message that says what to do.
    title = StringField(_l("Title"), render_kw={"autocomplete": "off"})
    body = TextAreaField(_l("What you want every member to read"), render_kw={"rows": 8})


def _wants_json() -> bool:
    """reactions.js asks for JSON; a plain form post (no JavaScript) asks for a page."""
    return request.accept_mimetypes.best == "application/json"


def _id_field(name: str) -> int:
    value = request.form.get(name, 0, type=int) or 0
    return value if 0 < value < 2**31 else 0


# --- for templates: what the topic page's posts need, once per page -----------------------------------------


def reaction_words() -> dict[str, Any]:
    return {
        "labels": {kind: str(label) for kind, label in REACTION_LABELS.items()},
        "list": _("Reactions to the post by %(name)s"),
        "who": _("Who reacted"),
        "who_post": _("to the post by %(name)s"),
        "failed": _("Your reaction could not be saved. Please try again."),
        "former": _("former member"),
    }


@bp.app_template_global("current_announcements")
def current_announcements(access: GroupAccess) -> list[Announcement]:
    """For the group page: announcements the signed-in member has not dismissed (one bounded query)."""
    return coach.current_announcements(current_user, access)


@bp.app_template_global("coach_tools")
def coach_tools(access: GroupAccess) -> dict[str, bool]:
    """For the group page: which coach controls to show, decided once."""
    return {
        "may_announce": policy.can_announce(current_user, access.group, access.membership),
        "may_manage": policy.is_acting_moderator(current_user, access.group, access.membership),
    }


# --- reactions -------------------------------------------------------------------------------------------------


@bp.route("/g/<slug>/posts/<int:post_id>/react", methods=["POST"])
@limiter.limit("120 per minute", key_func=member_key, methods=["POST"])
def react(slug: str, post_id: int) -> Page:
    """Form fields: ``kind`` (hug, me_too, thank_you, strength) and ``on`` (1 to add, 0 to take back)."""
    access = open_group(current_user, slug)
    try:
        result = reactions.set_reaction(
            current_user, access, post_id, request.form.get("kind", ""), on=reactions.parse_on(request.form.get("on"))
        )
    except DomainError as error:
        db.session.rollback()
        if _wants_json():
            return jsonify({"ok": False, "error": str(error.message)}), error.status_code
        raise
    db.session.commit()
    if _wants_json():
        return jsonify(
            {"ok": True, "post_id": result.post_id, "kind": result.kind, "on": result.on, "count": result.count}
        )
    after = _id_field("after")
    return redirect(
        url_for(
            "forum.topic_page", slug=slug, topic_id=result.topic_id, after=after or None, _anchor=f"post-{post_id}"
        ),
        303,
    )


# --- pinning ---------------------------------------------------------------------------------------------------


@bp.route("/g/<slug>/t/<int:topic_id>/<any(pin, unpin):action>", methods=["POST"])
def topic_pin(slug: str, topic_id: int, action: str) -> Response:
    access = open_group(current_user, slug)
    coach.set_pinned(current_user, access, topic_id, pinned=action == "pin")
    db.session.commit()
    message = _("The topic is pinned: it is listed first.") if action == "pin" else _("The topic is no longer pinned.")
    flash(message, "success")
    return redirect(url_for("forum.topic_page", slug=slug, topic_id=topic_id), 303)


# --- announcements ---------------------------------------------------------------------------------------------


@bp.route("/g/<slug>/announcements", methods=["GET", "POST"])
def announcements_page(slug: str) -> Page:
    """The moderators' page: make an announcement, see the running and recent ones, end one."""
    access = open_group(current_user, slug)
    items = coach.announcements_for_moderators(current_user, access)  # refuses anyone but the moderators
    form, form_error = AnnouncementForm(), None
    if form.validate_on_submit():
        # Refused or not found: an error page, not a form to correct. A reason about no field: at the top.
        with form_action(form, flash_unplaced=False) as action:
            coach.create_announcement(current_user, access, title=form.title.data, body=form.body.data)
        form_error = action.message
        if action.ok:
            flash(_("Your announcement is shown at the top of the group page."), "success")
            return redirect(url_for("forum.announcements_page", slug=slug), 303)
    elif request.method == "POST":
        form_error = _("This form was open too long or was sent twice. Please send it again: your text is kept below.")
    html = render_template(
        "forum/announcements.html",
        access=access,
        items=items,
        form=form,
        form_error=form_error,
        may_announce=policy.can_announce(current_user, access.group, access.membership),
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


@bp.route("/notifications/topics/<int:topic_id>/mute", methods=["POST"])
def mute_topic(topic_id: int) -> Response:
    """From the inbox: stop (or start again) hearing about a topic. The address stays under /notifications."""
    muted = request.form.get("muted") == "1"
    slug = notices.mute_topic_for(current_user, topic_id, muted=muted)  # NotFound for a topic one cannot read
    db.session.commit()
    flash(_("You will not hear about this topic any more.") if muted else _("You will hear about this topic again."),
          "success")  # fmt: skip
    return redirect(url_for("forum.topic_page", slug=slug, topic_id=topic_id), 303)
