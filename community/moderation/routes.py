"""HTTP adapters for the queue, moderators' actions, member reports, decisions and appeals, notes and the
member's own mutes and blocks. Each route calls one service, commits once, and redirects or re-renders the form
with the input kept and the reason (HTTP 400)."""

from __future__ import annotations

from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from community.core.errors import NotFound
from community.core.forms import form_action, put_error_on_field
from community.core.security import safe_next
from community.extensions import db
from community.moderation import (
    actions,
    appeals,
    bp,
    figures,
    forms,
    member_premoderation,
    notes,
    policy,
    queue,
    queue_context,
    queue_labels,  # noqa: F401  (registers the pages' template globals)
    reports,
    safety,
)
from community.moderation.models import QUEUE_KINDS
from community.notifications import services as notifications
from community.notifications.kinds import register_target_link

Page = str | Response | tuple[str, int]
# The template globals the pages use (labels, durations, the member's mutes) live in queue_labels.
DONE_MESSAGES = {
    "approve": _l("Approved: it is published and the writer is told."),
    "edit_approve": _l("Edited and published; the writer is told."),
    "refuse": _l("Refused; the writer is told why and how to appeal."),
    "rephrase": _l("Sent back to the writer to rephrase, with your note."),
    "hide": _l("Hidden; the writer is told."),
    "delete": _l("Deleted; the writer is told."),
    "dismiss": _l("Dismissed: nothing changes for the writer."),
    "warn": _l("The member is warned."),
    "mute": _l("The member is muted in this group for the chosen time."),
    "suspend": _l("The member is suspended from this group."),
    "remove": _l("The member is removed from this group."),
    "uphold": _l("The decision stands; the member is told."),
    "overturn": _l("The decision is undone; the member is told."),
}


def _int(name: str, default: int = 0) -> int:
    try:
        return int(request.values.get(name, default))
    except (TypeError, ValueError):
        return default


# --- the queue -----------------------------------------------------------------------------------------------


def _queue_page(group=None) -> str:
    kind = request.args.get("kind", "")
    kind = kind if kind in QUEUE_KINDS else ""
    page = queue.open_items(current_user, group=group, kind=kind, after=request.args.get("after"))
    groups = [group] if group is not None else queue.moderated_groups(current_user)
    if request.args.get("fragment") == "1":  # the live list, fetched again by moderation-queue.js
        return render_template("moderation/queue_list.html", page=page, kind=kind)
    # The moderator sees the queue: its "waiting for review" notices are read (the next held item tells again).
    if notifications.mark_target_read(current_user.id, ("held_item",), "group_queue", group.id if group else None):
        db.session.commit()
    return render_template(
        "moderation/queue.html",
        page=page,
        group=group,
        kind=kind,
        kinds=QUEUE_KINDS,
        figures=figures.figures_for([g.id for g in groups]),
        group_names={g.id: g.name for g in groups},
        group_slugs={g.id: g.slug for g in groups},
        room_ids=[g.id for g in groups],
    )


@bp.route("/")
def queue_all() -> str:
    if not queue.moderated_groups(current_user):
        raise NotFound(_("We could not find that page."))
    return _queue_page()


@bp.route("/g/<int:group_id>")
def queue_group(group_id: int) -> str:
    return _queue_page(queue.moderated_group(current_user, group_id))


@bp.route("/items/<int:item_id>")
def item_page(item_id: int) -> str:
    detail = queue_context.detail(current_user, item_id)
    _keep_access_log(detail.target)
    form = forms.ActionForm()
    if detail.target is not None and detail.target.words_editable and not form.body.data:
        form.body.data = detail.target.post.body_source if detail.target.post else detail.target.message.body_source
    return render_template("moderation/item.html", detail=detail, form=form, plain=forms.PlainForm())


@bp.route("/items/<int:item_id>/claim", methods=["POST"])
def item_claim(item_id: int) -> Response:
    if forms.PlainForm().validate_on_submit():
        with form_action() as done:  # a refusal is flashed; not found and forbidden go to the error page
            queue.claim(current_user, item_id)
        if done.ok:
            flash(_("You have taken this item. Other moderators see that you are on it."), "success")
    return redirect(url_for("moderation.item_page", item_id=item_id), 303)


@bp.route("/items/<int:item_id>/release", methods=["POST"])
def item_release(item_id: int) -> Response:
    if forms.PlainForm().validate_on_submit():
        with form_action() as done:
            queue.release(current_user, item_id)
        if done.ok:
            flash(_("The item is back in the queue for anyone to take."), "success")
    return redirect(url_for("moderation.item_page", item_id=item_id), 303)


@bp.route("/items/<int:item_id>/act", methods=["POST"])
def item_act(item_id: int) -> Page:
    form = forms.ActionForm()
    if not form.validate_on_submit():
        flash(_("The form had expired. Please try again."), "error")
        return redirect(url_for("moderation.item_page", item_id=item_id), 303)
    action = form.action.data or ""
    with form_action() as done:  # a refusal is flashed, and also shown beside the reason or the words
        if action in policy.APPEAL_DECISIONS:
            appeals.decide(current_user, item_id, action, form.reason.data)
        else:
            actions.act_on_item(
                current_user, item_id, action, reason=form.reason.data, body=form.body.data, days=_int("days", -1),
                revoke_codes=bool(form.revoke_codes.data),
            )  # fmt: skip
    if done.error is not None:
        if done.error.field in ("reason", "body"):
            put_error_on_field(form, done.error)
        detail = queue_context.detail(current_user, item_id)
        _keep_access_log(detail.target)
        return render_template("moderation/item.html", detail=detail, form=form, plain=forms.PlainForm()), 400
    flash(str(DONE_MESSAGES.get(action, _("Done."))), "success")
    if action in policy.MEMBER_ACTIONS:
        return redirect(url_for("moderation.item_page", item_id=item_id), 303)
    return redirect(url_for("moderation.queue_all"), 303)


# --- acting where the content is -----------------------------------------------------------------------------


@bp.route("/content/<any(post,message):target_type>/<int:target_id>", methods=["GET", "POST"])
def content_act(target_type: str, target_id: int) -> Page:
    group, target, writer = queue_context.target_detail(current_user, target_type, target_id)
    form = forms.ActionForm()
    if request.method == "GET":
        _keep_access_log(target)
        if target.words_editable:
            form.body.data = target.post.body_source if target.post else target.message.body_source
    elif form.validate_on_submit():
        action = form.action.data or ""
        with form_action() as done:  # a refusal is flashed; not found and forbidden go to the error page
            actions.act_on_content(
                current_user, target_type, target_id, action,
                reason=form.reason.data, body=form.body.data, days=_int("days", -1),
                revoke_codes=bool(form.revoke_codes.data),
            )  # fmt: skip
        if done.refused:
            group, target, writer = queue_context.target_detail(current_user, target_type, target_id)
            _keep_access_log(target)
            return render_template("moderation/item_content.html", group=group, target=target, writer=writer,
                                   form=form), 400  # fmt: skip
        flash(str(DONE_MESSAGES.get(action, _("Done."))), "success")
        return redirect(_back_to(target), 303)
    return render_template("moderation/item_content.html", group=group, target=target, writer=writer, form=form)


def _keep_access_log(target) -> None:
    """A private message shown to staff who are not in its conversation: the lookup wrote the access log."""
    if target is not None and target.read_by_staff:
        db.session.commit()


def _back_to(target) -> str:
    if target.topic is not None and target.topic.state == "published":
        return url_for("forum.topic_page", slug=target.topic.group.slug, topic_id=target.topic.id)
    if target.conversation is not None and target.conversation.kind == "group":
        return url_for("chat.room_page", slug=target.conversation.group.slug)
    return url_for("moderation.queue_all")


# --- member reports ------------------------------------------------------------------------------------------


@bp.route("/report/<any(post,message,user):target_type>/<int:target_id>", methods=["GET", "POST"])
def report(target_type: str, target_id: int) -> Page:
    item = reports.reportable(current_user, target_type, target_id, _int("group") or None)
    form = forms.ReportForm()
    if request.method == "POST" and form.validate_on_submit():
        with form_action(form, "reason", passes=()) as done:
            reports.submit(current_user, item, form.reason.data or "", form.note.data)
        if done.ok:
            safety_section = safety.safety_controls(current_user, item.author) if item.author else None
            return render_template("moderation/report_done.html", item=item, safety=safety_section)
        return render_template("moderation/report.html", item=item, form=form), 400
    return render_template("moderation/report.html", item=item, form=form)


# --- decisions about me, rephrasing and appeals --------------------------------------------------------------


@bp.route("/decisions")
def notices() -> str:
    rows, has_more = appeals.my_notices(current_user, before_id=_int("before"))
    return render_template("moderation/appeal_list.html", rows=rows, has_more=has_more)


@bp.route("/decisions/<int:action_id>", methods=["GET", "POST"])
def notice(action_id: int) -> Page:
    found = appeals.notice(current_user, action_id)
    appeal_form, rephrase_form = forms.AppealForm(prefix="appeal"), forms.RephraseForm(prefix="rephrase")
    if request.method == "GET" and found.can_rephrase and found.target is not None:
        source = found.target.post or found.target.message
        rephrase_form.body.data = source.body_source
    if request.method == "POST":
        which = request.form.get("which")
        form = appeal_form if which == "appeal" else rephrase_form
        if form.validate_on_submit():
            with form_action(passes=()) as done:  # a refusal is flashed, and also shown beside the text
                if which == "appeal":
                    appeals.appeal(current_user, action_id, appeal_form.note.data)
                    message = _("Thank you. Another moderator will look again and you will hear the answer here.")
                else:
                    appeals.resubmit(current_user, action_id, rephrase_form.body.data)
                    message = _("Thank you. A moderator will look at your rephrased text before it is shown.")
            if done.error is not None:
                put_error_on_field(form, done.error, "note" if which == "appeal" else "body")
                found = appeals.notice(current_user, action_id)
                return render_template("moderation/appeal.html", found=found, appeal_form=appeal_form,
                                       rephrase_form=rephrase_form), 400  # fmt: skip
            flash(message, "success")
            return redirect(url_for("moderation.notice", action_id=action_id), 303)
    return render_template("moderation/appeal.html", found=found, appeal_form=appeal_form, rephrase_form=rephrase_form)


# --- moderators' notes on a member ---------------------------------------------------------------------------


@bp.route("/notes/<int:group_id>/<int:user_id>", methods=["GET", "POST"])
def member_notes(group_id: int, user_id: int) -> Page:
    form = forms.NoteForm()
    if request.method == "POST" and form.validate_on_submit():
        with form_action(form, "body", passes=(NotFound,)) as done:
            notes.add_note(current_user, group_id, user_id, form.body.data)
        if done.refused:
            page = notes.notes_on(current_user, group_id, user_id)
            db.session.commit()  # the form comes back with the notes: a reading, logged like the GET
            return render_template("moderation/notes.html", page=page, form=form), 400
        flash(_("The note is saved. Only this group's moderators can read it."), "success")
        return redirect(url_for("moderation.member_notes", group_id=group_id, user_id=user_id), 303)
    page = notes.notes_on(current_user, group_id, user_id, before_id=_int("before"))
    db.session.commit()  # the reading's access-log line
    history = queue_context.writer_history(page.group, page.subject)
    return render_template("moderation/notes.html", page=page, form=form, history=history, **_premoderation(page))


def _premoderation(page: notes.NotesPage, form: forms.PremoderationForm | None = None) -> dict:
    state = member_premoderation.state_of(current_user, page.group.id, page.subject.id)
    if form is None:
        form = forms.PremoderationForm(choice=state.mode if state is not None else "default")
    return {"premoderation": state, "premoderation_form": form}


PREMODERATION_MESSAGES = {
    "default": _l("Saved: the group's rule applies to this member again."),
    "kept": _l("Saved: a moderator checks everything this member writes here first. They are not told."),
    "released": _l("Saved: this member is no longer pre-moderated as a new member. They are not told."),
}


@bp.route("/notes/<int:group_id>/<int:user_id>/premoderation", methods=["POST"])
def member_premoderation_set(group_id: int, user_id: int) -> Page:
    """Keep one member under pre-moderation, release them early, or go back to the group's rule."""
    form = forms.PremoderationForm()
    if form.validate_on_submit():
        choice = form.choice.data or ""
        with form_action(form, "reason", passes=(NotFound,)) as done:
            member_premoderation.set_mode(current_user, group_id, user_id, choice, form.reason.data)
        if done.ok:
            flash(str(PREMODERATION_MESSAGES[choice]), "success")
            return redirect(url_for("moderation.member_notes", group_id=group_id, user_id=user_id), 303)
    page = notes.notes_on(current_user, group_id, user_id)
    db.session.commit()  # the form comes back with the notes: a reading, logged like the GET
    history = queue_context.writer_history(page.group, page.subject)
    context = _premoderation(page, form)
    return render_template("moderation/notes.html", page=page, form=forms.NoteForm(), history=history, **context), 400


# --- my own mutes and blocks ---------------------------------------------------------------------------------


@bp.route("/safety")
def safety_page() -> str:
    return render_template("moderation/safety.html", rows=safety.relations_of(current_user), form=forms.PlainForm())


@bp.route("/safety/<int:user_id>", methods=["POST"])
def safety_set(user_id: int) -> Response:
    kind, on = request.form.get("kind", ""), request.form.get("on") == "1"
    if forms.PlainForm().validate_on_submit():
        with form_action(passes=(NotFound,)) as done:  # a refusal is flashed
            safety.set_relation(current_user, user_id, kind, on=on)
        if done.ok:
            flash(str(SAFETY_MESSAGES[(kind, on)]), "success")
    return redirect(safe_next(request.form.get("next"), url_for("moderation.safety_page")), 303)


SAFETY_MESSAGES = {
    ("mute", True): _l("Muted. What they write is collapsed for you; they are not told."),
    ("mute", False): _l("No longer muted."),
    ("block", True): _l("Blocked. They cannot send you private messages, mention you or open your profile."),
    ("block", False): _l("No longer blocked."),
}


# A notification about a decision opens the decision's page (which checks it is the reader's own).
register_target_link(
    "moderation_action", lambda target_id, _slug: f"/moderation/decisions/{target_id}" if target_id else None
)
