"""HTTP adapters for a group's events: the list, an event's page with the answer buttons (a form, no script
needed), planning, changing and cancelling, and the group page's section (``groups.page_sections``).

Each route opens the group (404 for a group the member is not in), calls one service, commits once, and
redirects or shows the form again with the input kept (HTTP 400).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from community.auth.models import User
from community.core.errors import NotFound
from community.core.forms import form_action
from community.core.time import utcnow
from community.events import answers, bp, policy, services
from community.events.forms import EventForm
from community.events.times import site_zone_name, utc_to_local
from community.groups.services import GroupAccess, open_group

Page = str | Response | tuple[str, int]


def group_page_events(viewer: User, access: GroupAccess, _args: Mapping[str, str]) -> dict[str, Any]:
    """The group page's section: the next few events, and whether to offer planning one."""
    return {
        "events": services.next_events(viewer, access),
        "may_plan": policy.can_plan_events(viewer, access.group, access.membership),
    }


@bp.route("/g/<slug>/events")
def events_list(slug: str) -> str:
    access = open_group(current_user, slug)
    return render_template(
        "events/list.html",
        access=access,
        upcoming=services.upcoming(current_user, access),
        past=services.past(current_user, access),
        may_plan=policy.can_plan_events(current_user, access.group, access.membership),
    )


@bp.route("/events/<int:event_id>")
def event_short(event_id: int) -> Response:
    """The address in calendar feeds and notifications that names no group: leads to the event's page for a
    member of its group, and is not found for anyone else."""
    slug = services.group_slug_of(event_id)
    if slug is None:
        raise NotFound(_("We could not find that event."))
    access = open_group(current_user, slug)
    services.open_event(current_user, access, event_id)
    return redirect(url_for("events.event_page", slug=slug, event_id=event_id), 303)


@bp.route("/g/<slug>/events/<int:event_id>")
def event_page(slug: str, event_id: int) -> str:
    access = open_group(current_user, slug)
    event = services.open_event(current_user, access, event_id)
    return render_template(
        "events/event.html",
        access=access,
        event=event,
        counts=services.answer_counts(event.id),
        mine=answers.answer_of(current_user, event.id),
        coming=services.who_is_coming(current_user, access, event),
        may_see_who=policy.can_see_who_is_coming(current_user, access.group, access.membership),
        may_answer=policy.can_answer(current_user, access.group, access.membership, event, utcnow()),
        may_change=policy.can_change_event(current_user, access.group, access.membership, event),
    )


@bp.route("/g/<slug>/events/<int:event_id>/answer", methods=["POST"])
def event_answer(slug: str, event_id: int) -> Response:
    access = open_group(current_user, slug)
    with form_action() as action:
        answers.answer(current_user, access, event_id, request.form.get("answer", ""))
    if action.ok:
        flash(_("Your answer is saved."), "success")
    return redirect(url_for("events.event_page", slug=slug, event_id=event_id), 303)


def _form_page(access: GroupAccess, form: EventForm, event=None, form_error: str | None = None) -> Page:
    html = render_template("events/form.html", access=access, form=form, event=event, form_error=form_error,
                           zone=site_zone_name())  # fmt: skip
    return html, 400 if request.method == "POST" else 200


@bp.route("/g/<slug>/events/new", methods=["GET", "POST"])
def event_new(slug: str) -> Page:
    access = open_group(current_user, slug)
    services.open_planning(current_user, access)
    form, form_error = EventForm(), None
    if form.validate_on_submit():
        with form_action(form, flash_unplaced=False) as action:
            event = services.create_event(current_user, access, form.details())
        form_error = action.message
        if action.ok:
            flash(_("The event is planned. Members can now say whether they come."), "success")
            return redirect(url_for("events.event_page", slug=slug, event_id=event.id), 303)
    elif "csrf_token" in form.errors:
        form_error = _("This form was open too long or was sent twice. Please send it again: your text is kept below.")
    return _form_page(access, form, form_error=form_error)


@bp.route("/g/<slug>/events/<int:event_id>/edit", methods=["GET", "POST"])
def event_edit(slug: str, event_id: int) -> Page:
    access = open_group(current_user, slug)
    event = services.open_event_to_change(current_user, access, event_id)
    form, form_error = EventForm(), None
    if request.method == "GET":
        form = EventForm(
            data={"title": event.title, "description": event.description, "place": event.place, "link": event.link,
                  "starts_at": utc_to_local(event.starts_at), "ends_at": utc_to_local(event.ends_at)}
        )  # fmt: skip
    elif form.validate_on_submit():
        with form_action(form, flash_unplaced=False) as action:
            services.update_event(current_user, access, event_id, form.details())
        form_error = action.message
        if action.ok:
            flash(_("The event is changed."), "success")
            return redirect(url_for("events.event_page", slug=slug, event_id=event_id), 303)
    elif "csrf_token" in form.errors:
        form_error = _("This form was open too long or was sent twice. Please send it again: your text is kept below.")
    return _form_page(access, form, event=event, form_error=form_error)


@bp.route("/g/<slug>/events/<int:event_id>/cancel", methods=["POST"])
def event_cancel(slug: str, event_id: int) -> Response:
    access = open_group(current_user, slug)
    with form_action() as action:
        services.cancel_event(current_user, access, event_id)
    if action.ok:
        flash(_("The event is cancelled. Whoever said they would come has been told."), "success")
    return redirect(url_for("events.event_page", slug=slug, event_id=event_id), 303)
