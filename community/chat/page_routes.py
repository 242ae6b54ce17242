"""HTTP adapters for the chat pages: a group's room, a private conversation, the list of one's conversations,
the form fallbacks that make them work without JavaScript (send, hide my presence), and the unread count in
the navigation.

The live part is Socket.IO (``chat.events``, ``static/js/chat.js``); these pages render the same messages
server-side first, so a page without JavaScript still reads, sends and pages back through older messages.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import HiddenField, SubmitField, TextAreaField

from community.attachments.forms import DocumentFieldsMixin, OneImageMixin, document_input, image_inputs
from community.chat import (
    bp,
    leaving,
    message_files,
    notices,
    page_data,
    presence,
    private,
    sending,
    services,
    unread,
)
from community.chat.message_history import PAGE_SIZE
from community.chat.page_data import ChatView
from community.chat.services import ConversationAccess
from community.core.errors import DomainError
from community.core.forms import FormAction, form_action
from community.extensions import db
from community.groups import policy as groups_policy
from community.groups.services import GroupAccess, memberships_of, open_group
from community.moderation import bp as moderation_bp
from community.moderation.forms import PlainForm
from community.moderation.personal_details import PersonalDetailsWarning
from community.moderation.safeguarding import member_bp as safeguarding_bp
from community.moderation.safeguarding.raising import concern_page, raise_limit
from community.moderation.safety import muted_author_ids

log = logging.getLogger(__name__)
Page = str | Response | tuple[str, int]


class MessageForm(OneImageMixin, DocumentFieldsMixin, FlaskForm):
    """The message box. Only the shape: the service judges the text (empty, too long, screening) and the files."""

    body = TextAreaField(_l("Message"), id="chat-body")
    client_id = HiddenField()  # made when the page is shown: submitting the form twice stores one message
    reply_to_id = HiddenField()
    submit = SubmitField(_l("Send"))
    personal_details_warning: str | None = None  # set when the text needs "Publish anyway" (moderation)


def _message_form() -> MessageForm:
    form = MessageForm()
    if not form.client_id.data:
        form.client_id.data = uuid.uuid4().hex
    return form


def _before_arg() -> int | None:
    before = request.args.get("before", type=int)
    return before if before and before > 0 else None


def _chat_view(
    access: ConversationAccess, *, send_url: str, page_url: Callable[..., str], before: int | None
) -> ChatView:
    days, oldest = page_data.page_of_messages(access, before)
    return ChatView(
        conversation_id=access.conversation.id,
        group_id=access.group.id,
        can_write=access.can_write,
        is_moderator=access.can_moderate,
        live=before is None,  # an older page is a plain page; live updates belong to the latest one
        send_url=send_url,
        days=days,
        older_url=page_url(before=oldest) if oldest else None,
        latest_url=page_url() if before else None,
        cannot_write_reason="" if access.can_write else page_data.cannot_write_reason(access),
        muted_authors=muted_author_ids(current_user),
        page_url=page_url(),
    )


def _reply_from_link(chat: ChatView, form: MessageForm) -> None:
    """ "Reply" without JavaScript is a link to the page with ?reply_to=<id>: the message box then answers that
    message, when it is one shown on the page (anything else is ignored)."""
    target = chat.message_shown(request.args.get("reply_to")) if request.method == "GET" else None
    if target is not None and chat.can_write:
        form.reply_to_id.data = str(target["id"])


# --- a group's room ------------------------------------------------------------------------------------------


def _room(access: GroupAccess, form: MessageForm, before: int | None, status: int = 200) -> tuple[str, int]:
    slug = access.group.slug
    room = services.find_group_room(access.group.id)
    send_url = url_for("chat.room_send", slug=slug)
    if room is None:  # a group made before rooms came with the group: the first message creates it
        writable = groups_policy.can_write_in_group(current_user, access.group, access.membership)
        muted = muted_author_ids(current_user)
        chat = ChatView("", access.group.id, writable, False, False, send_url, muted_authors=muted)
    else:
        chat = _chat_view(
            services.open_conversation(current_user, room.id),
            send_url=send_url,
            page_url=lambda **args: url_for("chat.room_page", slug=slug, **args),
            before=before,
        )
    _reply_from_link(chat, form)
    online = presence.online(access.group.id)
    hidden = presence.hides_presence(current_user.id)
    html = render_template(
        "chat/room.html", access=access, chat=chat, form=form, presence={"online": online, "hidden": hidden}
    )
    return html, status


@bp.route("/g/<slug>/chat")
def room_page(slug: str) -> Page:
    return _room(open_group(current_user, slug), _message_form(), _before_arg())


def _reply_to(form: MessageForm) -> int | None:
    raw = (form.reply_to_id.data or "").strip()
    if not raw:
        return None
    if not raw.isdigit() or len(raw) > 10:
        raise DomainError(_l("The message you are replying to is no longer there."), field="reply_to_id")
    return int(raw)


def _sent(result: sending.SendResult, target: str) -> Response:
    if result.message.state == "held":
        flash(_("Your message is waiting for a moderator. You will see it here until then."), "info")
    return redirect(target, 303)


def _sending() -> FormAction:
    """Every refusal of a message is shown next to the message box (``_show_refusal``), whatever it is about."""
    return form_action(passes=(), flash_unplaced=False)


def _show_refusal(form: MessageForm, error: DomainError) -> None:
    form.body.errors = [*form.body.errors, error.message]
    # Not a refusal: _chat.html offers "Publish anyway" (confirm_personal_details=1) next to the message.
    form.personal_details_warning = error.message if isinstance(error, PersonalDetailsWarning) else None


def _files(form: MessageForm) -> message_files.MessageFiles:
    """The message box's image and document, checked before the message is sent (a refusal sends nothing)."""
    return message_files.prepare(*image_inputs(form), *document_input(form))


def _confirmed() -> bool:
    return request.form.get("confirm_personal_details") == "1"


@bp.route("/g/<slug>/chat/send", methods=["POST"])
def room_send(slug: str) -> Page:
    """The message box without JavaScript: the same service as chat:send, then back to the room."""
    access = open_group(current_user, slug)
    form = MessageForm()
    if form.validate_on_submit():
        with _sending() as action:
            room = services.group_room_conversation(access.group.id)
            result = sending.send_message(
                current_user, access, room, client_id=form.client_id.data, body=form.body.data or "",
                reply_to_id=_reply_to(form), confirm_personal_details=_confirmed(), files=_files(form),
            )  # fmt: skip
        if action.error:
            _show_refusal(form, action.error)
        else:
            return _sent(result, url_for("chat.room_page", slug=slug, _anchor="chat-form"))
    return _room(access, form, None, 400)


@bp.route("/g/<slug>/chat/presence", methods=["POST"])
def presence_setting(slug: str) -> Response:
    """Hide (or show) this member in the lists of who is here, in all their groups."""
    open_group(current_user, slug)
    choice = request.form.get("hide")
    if choice not in ("0", "1"):
        abort(400)
    presence.set_hide_presence(current_user, choice == "1")
    db.session.commit()
    if choice == "1":
        flash(_("Others no longer see when you are here."), "success")
    else:
        flash(_("Others can see when you are here again."), "success")
    return redirect(url_for("chat.room_page", slug=slug), 303)


# --- private conversations -----------------------------------------------------------------------------------


def _conversation(access: ConversationAccess, form: MessageForm, before: int | None, status: int = 200) -> Page:
    conversation_id = access.conversation.id
    chat = _chat_view(
        access,
        send_url=url_for("chat.conversation_send", conversation_id=conversation_id),
        page_url=lambda **args: url_for("chat.conversation_page", conversation_id=conversation_id, **args),
        before=before,
    )
    _reply_from_link(chat, form)
    html = render_template(
        "chat/conversation.html", access=access, group=access.group, title=access.title, chat=chat, form=form
    )
    return html, status


def _open_private(conversation_id: int) -> ConversationAccess | Response:
    """The conversation (404 for anyone who may not read it); a group room's id leads to its room page."""
    access = services.open_conversation(current_user, conversation_id)
    if access.conversation.kind != "private":
        return redirect(url_for("chat.room_page", slug=access.group.slug), 303)
    return access


@bp.route("/conversations/<int:conversation_id>")
def conversation_page(conversation_id: int) -> Page:
    access = _open_private(conversation_id)
    if isinstance(access, Response):
        return access
    if access.read_by_staff:
        db.session.commit()  # the access-log lines open_conversation wrote for staff who are not in it
    elif notices.conversation_read(current_user.id, conversation_id):
        db.session.commit()  # opening it (also without JavaScript) reads its "someone wrote to you" notice
    return _conversation(access, _message_form(), _before_arg())


@bp.route("/messages/<int:message_id>")
def message_page(message_id: int) -> Response:
    """Where a notification about a chat message leads: its room or conversation, at the message ("not found"
    unless the member can read the published message now)."""
    message, conversation = services.readable_message(current_user, message_id)
    older = conversation.last_seq - message.seq >= PAGE_SIZE  # not on the latest page: the page that ends with it
    args = {"before": message.seq + 1} if older else {}
    anchor = f"message-{message.id}"
    if conversation.kind == "private":
        return redirect(url_for("chat.conversation_page", conversation_id=conversation.id, _anchor=anchor, **args), 303)
    return redirect(url_for("chat.room_page", slug=conversation.group.slug, _anchor=anchor, **args), 303)


@bp.route("/conversations/<int:conversation_id>/send", methods=["POST"])
def conversation_send(conversation_id: int) -> Page:
    access = _open_private(conversation_id)
    if isinstance(access, Response):
        return access
    form = MessageForm()
    if form.validate_on_submit():
        with _sending() as action:
            result = sending.send(
                access, client_id=form.client_id.data or "", body=form.body.data or "", reply_to_id=_reply_to(form),
                confirm_personal_details=_confirmed(), files=_files(form),
            )  # fmt: skip
        if action.error:
            _show_refusal(form, action.error)
        else:
            return _sent(
                result, url_for("chat.conversation_page", conversation_id=conversation_id, _anchor="chat-form")
            )
    return _conversation(access, form, None, 400)


@bp.route("/conversations")
def conversations_page() -> str:
    before = _before_arg()
    rows, more = private.my_conversations(current_user, before_id=before)
    counts = unread.unread_counts(current_user)
    groups = memberships_of(current_user)
    rooms = page_data.rooms_of([access.group for access in groups], counts)
    items = [
        {"id": row.conversation.id, "title": row.title, "group_name": row.group.name,
         "people": row.names if row.conversation.care else (), "request": row.request_pending,
         "unread": counts.get(row.conversation.id, 0)}
        for row in rows
    ]  # fmt: skip
    older_url = url_for("chat.conversations_page", before=rows[-1].conversation.id) if more and rows else None
    return render_template("chat/conversations.html", rooms=rooms, conversations=items, older_url=older_url)


@safeguarding_bp.route("/messages/<int:message_id>/worried", methods=["GET", "POST"])
@raise_limit
def raise_message(message_id: int) -> Page:
    """ "I'm worried about this person" on a chat message (the endpoint is ``safeguarding.raise_message``)."""
    message, conversation = services.readable_message(current_user, message_id)  # chat's own access rules
    access = open_group(current_user, conversation.group.slug)
    if conversation.kind == "private":
        cancel = url_for("chat.conversation_page", conversation_id=conversation.id)
    else:
        cancel = url_for("chat.room_page", slug=access.group.slug, _anchor=f"message-{message.id}")
    action = url_for("safeguarding.raise_message", message_id=message.id)
    context = {"access": access, "subject": message.author, "action": action}
    return concern_page(services.concern_about(message, conversation), cancel, context)


@moderation_bp.route("/conversations/<int:conversation_id>/leave", methods=["POST"])
def conversation_leave(conversation_id: int) -> Response:
    """Leave a private conversation (one of the member's own safety tools, so the endpoint keeps moderation's
    name: ``moderation.conversation_leave``)."""
    if not PlainForm().validate_on_submit():
        flash(_("The form had expired. Please try again."), "error")
        return redirect(url_for("chat.conversation_page", conversation_id=conversation_id), 303)
    conversation = leaving.leave_conversation(current_user, conversation_id)
    db.session.commit()
    leaving.leave_conversation_room_now(current_user.id, conversation_id)
    if conversation.care:
        flash(_("You left the conversation. The others see that you left."), "success")
    else:
        gone = _(
            "You left the conversation. It is deleted on your side; the other person can no longer write to you in it."
        )
        flash(gone, "success")
    return redirect(url_for("chat.conversations_page"), 303)
