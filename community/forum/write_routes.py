"""HTTP adapters for writing in the forum: new topic, reply, edit, earlier versions, reading position.

Each route opens the group (404 for a group the member is not in), calls one service, commits once, and
redirects (published or held) or shows the form again with the input kept and the reason (HTTP 400).
"""

from __future__ import annotations

from typing import Any

from flask import Response, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm

from community.attachments.forms import document_input, image_inputs
from community.core.errors import DomainError, NotFound
from community.core.forms import FormAction, form_action
from community.core.security import member_key
from community.extensions import limiter
from community.forum import bp, editing, policy, post_files, reading_state, services, writing
from community.forum.forms import EditForm, ReplyForm, TopicForm
from community.groups.services import GroupAccess, open_group
from community.moderation.personal_details import PersonalDetailsWarning

Page = str | Response | tuple[str, int]

# How a content warning reads inside "Content warning: %(warning)s" (the form shows its own labels).
WARNING_PHRASES = {
    "self-harm": _l("self-harm"),
    "suicide": _l("suicide"),
    "medical detail": _l("medical detail"),
    "loss": _l("loss"),
    "abuse": _l("abuse"),
    "other": _l("may be hard to read"),
}
HELD_MESSAGE = _l("Thank you. A moderator will look at your post before it is shown.")
DRAFT_DONE_KEY = "kring_draft_done"  # in the signed session cookie, like a flash: no database write


@bp.app_template_global("draft_key")
def draft_key(slug: str, form: str, item_id: int | None = None) -> str:
    """The name forum.js keeps a form's draft under: ``<group>:new``, ``<group>:t<topic>``, ``<group>:e<post>``."""
    return f"{slug}:{form}{item_id or ''}"


def confirmed_draft() -> str:
    """The draft whose post the server just accepted, once: the next forum page (its route passes it as
    ``draft_done``) tells forum.js to forget it. Decided here rather than in the browser, so a draft goes only
    when the server really took the post."""
    return session.pop(DRAFT_DONE_KEY, "")


@bp.app_template_global("content_warning_phrase")
def content_warning_phrase(value: str) -> str:
    """The words for a stored warning; an older free-text warning is shown as it is (escaped by Jinja)."""
    phrase = WARNING_PHRASES.get(value)
    return str(phrase) if phrase is not None else value


@bp.app_template_global("forum_hint")
def forum_hint(name: str) -> str:
    """The hints under the writing forms' fields: they document the limits the services enforce."""
    if name == "title":
        return _("%(min)d to %(max)d characters.", min=writing.TITLE_MIN, max=services.TITLE_MAX)
    if name == "body":
        return _(
            "Up to %(max)s characters. Markdown works: **bold**, *italic*, > for a quote, - for a list. "
            "HTML is shown as plain text, and pictures cannot be added by a link.",
            max=f"{services.BODY_MAX:,}",
        )
    if name == "content_warning":
        return _(
            "If your post may be hard for some people to read, choose a warning: readers see the warning first "
            "and open the post when they are ready."
        )
    if name == "as_coach":
        return _("Shown in the coach's style, labelled “Coach”.")
    return ""


# --- shared by the pages ---------------------------------------------------------------------------------------


def _confirmed() -> bool:
    """The writer pressed "Publish anyway" on the personal-details warning."""
    return request.form.get("confirm_personal_details") == "1"


def _writing(form: FlaskForm, passes: tuple[type[DomainError], ...] = ()) -> FormAction:
    """The service's reason goes next to its field; a reason about no field comes back (``action.message``) for
    the top of the form. A personal-details warning is no error: the template shows it with "Edit" and
    "Publish anyway"."""
    return form_action(form, passes=passes, unplaced=(PersonalDetailsWarning,), flash_unplaced=False)


def _warning_of(action: FormAction) -> str | None:
    return action.error.message if isinstance(action.error, PersonalDetailsWarning) else None


def _id_arg(values: Any, name: str) -> int:
    """A positive id from the query string or form, else 0 (a nonsense or out-of-range value means "none")."""
    value = values.get(name, 0, type=int) or 0
    return value if 0 < value < 2**31 else 0


def _topic_url(slug: str, topic_id: int, *, after: int = 0, post_id: int | None = None) -> str:
    anchor = f"post-{post_id}" if post_id else None
    return url_for("forum.topic_page", slug=slug, topic_id=topic_id, after=after or None, _anchor=anchor)


def _written(access: GroupAccess, result: writing.WriteResult, published_message: str, draft: str) -> Response:
    """Tell the writer what happened, and let forum.js forget the form's draft (``draft``: its key)."""
    session[DRAFT_DONE_KEY] = draft
    for notice in result.notices:
        flash(notice, "notice")
    if result.state == "held":
        flash(str(HELD_MESSAGE), "posted")
        if result.topic.state == "held":
            return redirect(url_for("groups.group_page", slug=access.group.slug), 303)
    else:
        flash(published_message, "posted")
    return redirect(
        _topic_url(access.group.slug, result.topic.id, after=result.page_after, post_id=result.post.id), 303
    )


# --- new topic -------------------------------------------------------------------------------------------------


@bp.route("/g/<slug>/topics/new", methods=["GET", "POST"])
@limiter.limit("20 per minute", key_func=member_key, methods=["POST"])
def new_topic(slug: str) -> Page:
    access = open_group(current_user, slug)
    form, form_error, warning = TopicForm(), None, None
    if form.validate_on_submit():
        with _writing(form) as action:
            result = writing.create_topic(
                current_user,
                access,
                title=form.title.data,
                body=form.body.data,
                content_warning=form.content_warning.data,
                as_coach=form.as_coach.data,
                confirm_personal_details=_confirmed(),
            )
            post_files.attach_files(current_user, access, result.post, *image_inputs(form), *document_input(form))
        form_error, warning = action.message, _warning_of(action)
        if action.ok:
            return _written(access, result, _("Your topic is published."), draft_key(slug, "new"))
    html = render_template(
        "forum/new_topic.html",
        access=access,
        form=form,
        form_error=form_error,
        personal_details_warning=warning,
        may_post=policy.can_post(current_user, access.group, access.membership),
        may_post_as_coach=policy.can_post_as_coach(current_user, access.group, access.membership),
        draft_done=confirmed_draft(),
    )
    return html, 400 if request.method == "POST" else 200


# --- reply -----------------------------------------------------------------------------------------------------


@bp.route("/g/<slug>/t/<int:topic_id>/reply", methods=["POST"])
@limiter.limit("60 per minute", key_func=member_key, methods=["POST"])
def reply(slug: str, topic_id: int) -> Page:
    access = open_group(current_user, slug)
    form, form_error, warning = ReplyForm(), None, None
    if form.validate_on_submit():
        with _writing(form, passes=(NotFound,)) as action:
            result = writing.reply(
                current_user,
                access,
                topic_id,
                body=form.body.data,
                content_warning=form.content_warning.data,
                as_coach=form.as_coach.data,
                confirm_personal_details=_confirmed(),
            )
            post_files.attach_files(current_user, access, result.post, *image_inputs(form), *document_input(form))
        form_error, warning = action.message, _warning_of(action)
        if action.ok:
            return _written(access, result, _("Your reply is published."), draft_key(slug, "t", topic_id))
    topic = services.open_topic(access, topic_id)
    html = render_template(
        "forum/reply.html",
        access=access,
        topic=topic,
        reply_form=form,
        form_error=form_error,
        personal_details_warning=warning,
        may_reply=policy.can_reply(current_user, access.group, access.membership, topic),
        may_post_as_coach=policy.can_post_as_coach(current_user, access.group, access.membership),
        draft_done=confirmed_draft(),
    )
    return html, 400


# --- edit and earlier versions ---------------------------------------------------------------------------------


@bp.route("/g/<slug>/posts/<int:post_id>/edit", methods=["GET", "POST"])
@limiter.limit("60 per minute", key_func=member_key, methods=["POST"])
def edit_post(slug: str, post_id: int) -> Page:
    access = open_group(current_user, slug)
    view = editing.open_post_for_edit(current_user, access, post_id)
    if request.method == "GET":
        current = {
            "title": view.topic.title,
            "body": view.post.body_source,
            "content_warning": view.post.content_warning,
        }
        form, form_error, warning = EditForm(formdata=None, data=current), None, None
    else:
        form, form_error, warning = EditForm(), None, None
        if form.validate_on_submit():
            with _writing(form) as action:
                result = editing.edit_post(
                    current_user,
                    access,
                    post_id,
                    body=form.body.data,
                    content_warning=form.content_warning.data,
                    title=form.title.data if view.is_opening_post else None,
                    confirm_personal_details=_confirmed(),
                )
            form_error, warning = action.message, _warning_of(action)
            if action.ok:
                message = _("Your changes are saved.") if result.changed else _("Nothing was changed.")
                return _written(access, result, message, draft_key(slug, "e", post_id))
    html = render_template(
        "forum/edit.html",
        access=access,
        view=view,
        form=form,
        form_error=form_error,
        personal_details_warning=warning,
        draft_done=confirmed_draft(),
    )
    return html, 400 if request.method == "POST" else 200


@bp.route("/g/<slug>/posts/<int:post_id>/revisions")
def post_revisions(slug: str, post_id: int) -> str:
    access = open_group(current_user, slug)
    page = editing.post_revisions(current_user, access, post_id, before_id=_id_arg(request.args, "before"))
    return render_template("forum/revisions.html", access=access, page=page)


# --- reading position and live updates -------------------------------------------------------------------------


@bp.route("/g/<slug>/t/<int:topic_id>/read", methods=["POST"])
@limiter.limit("240 per minute", key_func=member_key, methods=["POST"])
def mark_read(slug: str, topic_id: int) -> Page:
    """From forum.js (``format=beacon``: answered 204) or the "Mark as read" button (back to the page)."""
    access = open_group(current_user, slug)
    beacon = request.form.get("format") == "beacon"
    with form_action(passes=(NotFound,), flash_unplaced=not beacon) as action:
        reading_state.record_read(current_user, access, topic_id, request.form.get("last_post_id", 0, type=int) or 0)
    if action.refused and beacon:
        return "", 400
    if action.ok:
        if beacon:
            return "", 204
        flash(_("Marked as read."), "info")
    after = _id_arg(request.form, "after")
    return redirect(_topic_url(slug, topic_id, after=after), 303)
