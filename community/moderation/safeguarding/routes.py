"""HTTP adapters for safeguarding: the helplines page and the moderators' case list and case page (on the
moderation blueprint). "I'm worried about this person" on a post or a chat message is the forum's and chat's
(``raising.concern_page``). Each route calls one service, commits once, and redirects, or shows the form again
with the reason (HTTP 400)."""

from __future__ import annotations

from typing import Any

from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from community.core.errors import NotFound
from community.core.forms import form_action
from community.core.time import utcnow
from community.extensions import db
from community.moderation import bp, targets
from community.moderation.queue import moderates_any
from community.moderation.safeguarding import helplines, member_bp, queries, services
from community.moderation.safeguarding.forms import OUTCOME_LABELS, CloseForm, NoteForm
from community.moderation.safeguarding.models import SafeguardingCase

Page = str | Response | tuple[str, int]


# --- template helpers ------------------------------------------------------------------------------------------


@member_bp.app_template_global("moderation_alerts_for")
def moderation_alerts_for(user: Any) -> bool:
    """Whether the page loads the live safeguarding alert (moderators and admins), from loaded memberships."""
    if not getattr(user, "is_authenticated", False):
        return False
    return bool(user.is_admin) or moderates_any(user)


@member_bp.app_template_global("moderation_alert_strings")
def moderation_alert_strings() -> dict[str, str]:
    return {
        "acute": _("Urgent: a member in %(group)s may be in danger now."),
        "concern": _("Safeguarding: a member in %(group)s may need help."),
        "open": _("Open the case"),
        "dismiss": _("Hide this alert"),
        "conflict": _("A conversation in %(group)s is getting heated."),
        "conflict_slowed": _("A conversation in %(group)s is getting heated; it is in slow mode now."),
        "open_item": _("Open the queue item"),
        "css": url_for("static", filename="css/moderation-alerts.css"),
    }


LABELS = {
    "severity": {"acute": _l("Urgent: possible danger now"), "concern": _l("Concern")},
    "category": {
        "suicide": _l("Suicide"),
        "self_harm": _l("Self-harm"),
        "abuse": _l("Abuse or violence"),
        "medical_emergency": _l("Medical emergency"),
        "": _l("Raised by a person"),
    },
    "source": {
        "detected": _l("Found by the crisis-language check"),
        "member": _l("Raised by a member"),
        "staff": _l("Raised by a moderator"),
    },
    "status": {"open": _l("Open"), "in_progress": _l("In progress"), "closed": _l("Closed")},
}


@member_bp.app_template_global("safeguarding_label")
def safeguarding_label(kind: str, value: str | None) -> str:
    label = LABELS.get(kind, {}).get(value or "")
    return str(label) if label is not None else (value or "")


# --- members: help, and raising a worry ------------------------------------------------------------------------


@member_bp.route("/help")
def help_page() -> Page:
    return render_template("moderation/safeguarding/help.html", lines=helplines.helplines(current_user.language))


# --- moderators: cases -------------------------------------------------------------------------------------------


@bp.route("/safeguarding")
def safeguarding_cases() -> Page:
    if queries.workable_group_ids(current_user) == []:
        services.raise_case_not_found()  # a member who moderates nothing has no case list
    show_closed = request.args.get("closed") == "1"
    cases = queries.case_list(current_user, closed=show_closed)
    return render_template(
        "moderation/safeguarding/cases.html",
        cases=cases,
        show_closed=show_closed,
        now=utcnow(),
        clock=services.clock,
        list_max=queries.LIST_MAX,
    )


def _target_of(case: SafeguardingCase) -> Any:
    """The post or message the case is about, for the page to quote; None when it is gone (or none)."""
    if not case.target_type or not case.target_id:
        return None
    try:
        target = targets.load(case.target_type, case.target_id)
    except NotFound:
        return None
    return target.post or target.message


def _case_page(case_id: int, *, note_form: NoteForm | None = None, close_form: CloseForm | None = None) -> str:
    if request.method == "GET":
        access = services.read_case(current_user, case_id)
        db.session.commit()
    else:
        access = services.open_case(current_user, case_id)
    case: SafeguardingCase = access.case
    return render_template(
        "moderation/safeguarding/case.html",
        case=case,
        group=access.group,
        clock=services.clock(case),
        target=_target_of(case),
        recent_posts=queries.subject_recent_posts(case),
        notes=queries.notes_of(case),
        note_form=note_form or NoteForm(formdata=None),
        close_form=close_form or CloseForm(formdata=None),
        outcome_labels=OUTCOME_LABELS,
        may_take=case.status != "closed" and case.taken_by_id != current_user.id,
        as_lead=access.as_lead,  # a safeguarding lead who is not the group's staff has no case list
    )


@bp.route("/safeguarding/<int:case_id>")
def safeguarding_case(case_id: int) -> Page:
    return _case_page(case_id)


@bp.route("/safeguarding/<int:case_id>/take", methods=["POST"])
def safeguarding_take(case_id: int) -> Page:
    form = NoteForm()  # only for the CSRF check
    if form.validate_on_submit():
        with form_action(passes=(NotFound,)) as action:  # a refusal is flashed
            services.take_case(current_user, case_id)
        if action.ok:
            flash(_("You have taken this case. The clock is answered."), "posted")
    return redirect(url_for("moderation.safeguarding_case", case_id=case_id), 303)


@bp.route("/safeguarding/<int:case_id>/notes", methods=["POST"])
def safeguarding_note(case_id: int) -> Page:
    form = NoteForm()
    if form.validate_on_submit():
        with form_action(form, "body", passes=(NotFound,)) as action:
            services.add_note(current_user, case_id, form.body.data or "")
        if action.refused:
            return _case_page(case_id, note_form=form), 400
        flash(_("Your hand-over note is saved."), "posted")
    return redirect(url_for("moderation.safeguarding_case", case_id=case_id, _anchor="notes"), 303)


@bp.route("/safeguarding/<int:case_id>/close", methods=["POST"])
def safeguarding_close(case_id: int) -> Page:
    form = CloseForm()
    if form.validate_on_submit():
        with form_action(form, passes=(NotFound,)) as action:  # beside the outcome or its note, else flashed
            services.close_case(
                current_user, case_id, outcome=form.outcome.data or "", note=form.outcome_note.data or ""
            )
        if action.refused:
            return _case_page(case_id, close_form=form), 400
        flash(_("The case is closed and its outcome recorded."), "posted")
    return redirect(url_for("moderation.safeguarding_case", case_id=case_id), 303)
