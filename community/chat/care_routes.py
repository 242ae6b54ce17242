"""HTTP adapters for care conversations (``chat.care``): starting one, the people and the name of one, and a
member's answer to a request. Plain forms that work without JavaScript; the conversation itself is the chat page
(``chat.conversation_page``), where the changes also show live as system lines.
"""

from __future__ import annotations

from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import StringField

from community.chat import bp, care, policy
from community.chat.models import TITLE_MAX
from community.chat.services import ConversationAccess, open_conversation
from community.core.errors import DomainError, NotFound
from community.core.forms import form_action
from community.extensions import db
from community.groups.services import GroupAccess, open_group

Page = str | Response | tuple[str, int]


class TitleForm(FlaskForm):
    title = StringField(_l("Name of the conversation"), id="care-title")


def _chosen() -> list[int]:
    """The ticked people (``user_ids``); anything that is not an id is ignored, an empty choice is refused."""
    values = request.form.getlist("user_ids")[: care.CANDIDATES_MAX]
    return [int(value) for value in values if value.isdigit() and len(value) <= 10]


def _refused(error: DomainError) -> str:
    return str(error.message)


# --- starting ------------------------------------------------------------------------------------------------


def _new_page(access: GroupAccess, form: TitleForm, *, error: str = "", status: int = 200) -> tuple[str, int]:
    html = render_template(
        "chat/care_new.html",
        access=access,
        form=form,
        candidates=care.candidates(current_user, access),
        chosen=set(_chosen()) if request.method == "POST" else set(),
        error=error,
        title_max=TITLE_MAX,
    )
    return html, status


def _staff_access(slug: str) -> GroupAccess:
    access = open_group(current_user, slug)
    if not policy.is_care_staff_in(current_user, access.group, access.membership):
        raise NotFound(_l("We could not find that page."))
    return access


@bp.route("/g/<slug>/care/new", methods=["GET", "POST"])
def care_new(slug: str) -> Page:
    """Start a care conversation: a name and the people of the group (the group's staff only; others: 404)."""
    access = _staff_access(slug)
    form = TitleForm()
    if request.method == "GET" or not form.validate_on_submit():
        return _new_page(access, form, status=200 if request.method == "GET" else 400)
    with form_action(passes=(), flash_unplaced=False) as action:
        conversation = care.start_care_conversation(
            current_user, access, title=form.title.data or "", user_ids=_chosen()
        )
    if action.error:
        return _new_page(access, form, error=_refused(action.error), status=action.error.status_code)
    flash(_("The conversation is started. Members see it as a request to accept first."), "success")
    return redirect(url_for("chat.conversation_page", conversation_id=conversation.id), 303)


# --- people and name -----------------------------------------------------------------------------------------


def _care_access(conversation_id: int) -> ConversationAccess:
    access = open_conversation(current_user, conversation_id)
    if not access.conversation.care:
        raise NotFound(_l("We could not find that conversation."))
    return access


def _people_page(access: ConversationAccess, *, error: str = "", status: int = 200) -> tuple[str, int]:
    manages = policy.can_manage_care(current_user, access.group, access.membership, access.participant)
    people = care.people_in(access)
    group_access = GroupAccess(access.group, access.membership)
    form = TitleForm(formdata=None, data={"title": access.conversation.title})
    if request.method == "POST" and "title" in request.form:
        form.title.data = request.form.get("title", "")
    html = render_template(
        "chat/care_people.html",
        access=access,
        people=people,
        manages=manages,
        candidates=care.candidates(current_user, group_access, leave_out={p.user.id for p in people})
        if manages
        else [],
        form=form,
        error=error,
    )
    return html, status


@bp.route("/conversations/<int:conversation_id>/people")
def care_people(conversation_id: int) -> Page:
    access = _care_access(conversation_id)
    if access.read_by_staff:
        db.session.commit()  # the access-log lines open_conversation wrote
    return _people_page(access)


def _managed_action(conversation_id: int, change, done: str) -> Page:
    if not FlaskForm().validate_on_submit():
        flash(_("The form had expired. Please try again."), "error")
        return redirect(url_for("chat.care_people", conversation_id=conversation_id), 303)
    with form_action(passes=(NotFound,), flash_unplaced=False) as action:
        change()
    if action.error:
        return _people_page(
            _care_access(conversation_id), error=_refused(action.error), status=action.error.status_code
        )
    flash(done, "success")
    return redirect(url_for("chat.care_people", conversation_id=conversation_id), 303)


@bp.route("/conversations/<int:conversation_id>/people/add", methods=["POST"])
def care_add(conversation_id: int) -> Page:
    chosen = _chosen()
    return _managed_action(
        conversation_id,
        lambda: care.add_people(current_user, conversation_id, chosen),
        _("They are added. Everyone in the conversation sees it."),
    )


@bp.route("/conversations/<int:conversation_id>/people/<int:user_id>/remove", methods=["POST"])
def care_remove(conversation_id: int, user_id: int) -> Page:
    return _managed_action(
        conversation_id,
        lambda: care.remove_person(current_user, conversation_id, user_id),
        _("They are no longer in the conversation and cannot read it any more."),
    )


@bp.route("/conversations/<int:conversation_id>/rename", methods=["POST"])
def care_rename(conversation_id: int) -> Page:
    title = request.form.get("title", "")
    return _managed_action(
        conversation_id,
        lambda: care.rename(current_user, conversation_id, title),
        _("The conversation has its new name."),
    )


# --- the member's answer -------------------------------------------------------------------------------------


@bp.route("/conversations/<int:conversation_id>/request", methods=["POST"])
def care_answer(conversation_id: int) -> Response:
    """``answer``: accept, decline, or block (decline and block the staff member who started it)."""
    page = url_for("chat.conversation_page", conversation_id=conversation_id)
    if not FlaskForm().validate_on_submit():
        flash(_("The form had expired. Please try again."), "error")
        return redirect(page, 303)
    answer = request.form.get("answer", "")
    with form_action(passes=(NotFound,)) as action:  # a refusal is flashed
        care.answer_request(current_user, conversation_id, answer)
    if action.error:
        return redirect(page, 303)
    if answer == "accept":
        flash(_("You joined the conversation. You can write in it now."), "success")
        return redirect(page, 303)
    if answer == "block":
        flash(_("You declined and blocked the person who started it: they cannot write to you first again."), "success")
    else:
        flash(_("You declined the conversation. You no longer see it."), "success")
    return redirect(url_for("chat.conversations_page"), 303)
