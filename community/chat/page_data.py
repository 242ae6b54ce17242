"""What the chat pages show, put together for the templates: messages by day, the reader's own reactions,
and the presence setting. Reads only (a GET never writes); the rules stay in ``chat.services``/``chat.policy``.

Messages are rendered from the same protocol dicts the socket sends (``payloads.message_payloads``), so the
page without JavaScript and the live page show one shape.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from flask_babel import format_date, to_user_timezone
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from community.auth.models import User
from community.chat import policy
from community.chat.message_history import history, latest
from community.chat.models import Conversation, Message
from community.chat.payloads import message_payloads
from community.chat.services import ConversationAccess, find_group_room
from community.core.time import utcnow
from community.extensions import db
from community.groups.models import Group
from community.groups.services import GroupAccess
from community.reactions.models import Reaction


@dataclass(frozen=True)
class MessageItem:
    m: dict[str, Any]  # the protocol Message
    created: datetime  # aware, in the reader's time zone
    my_reactions: tuple[str, ...] = ()


@dataclass(frozen=True)
class Day:
    key: str  # ISO date in the reader's time zone (chat-view.js groups by the same key)
    label: str
    items: list[MessageItem]


@dataclass
class ChatView:
    """Everything ``templates/chat/_chat.html`` needs about one conversation."""

    conversation_id: int | str
    group_id: int
    can_write: bool
    is_moderator: bool
    live: bool
    send_url: str
    days: list[Day] = field(default_factory=list)
    older_url: str | None = None
    latest_url: str | None = None
    cannot_write_reason: str = ""
    edit_window_seconds: int = int(policy.EDIT_WINDOW.total_seconds())
    muted_authors: set[int] = field(default_factory=set)  # whose messages collapse for the reader
    page_url: str = ""  # the latest page: a reply without JavaScript is this with ?reply_to=<id>

    def message_shown(self, raw: object) -> dict[str, Any] | None:
        """The published message with this id among the ones shown (the protocol Message), else None: a reply
        without JavaScript (``?reply_to=``) names one of them; any other value is ignored."""
        text = str(raw or "").strip()
        if not text.isdigit() or len(text) > 10:
            return None
        wanted = int(text)
        for day in self.days:
            for item in day.items:
                if item.m["id"] == wanted and item.m["state"] == "published":
                    return item.m
        return None


def day_label(day: date, today: date) -> str:
    if day == today:
        return str(_l("Today"))
    if day == today - timedelta(days=1):
        return str(_l("Yesterday"))
    return format_date(day, "long")


def my_reactions(user: User, message_ids: Sequence[int]) -> dict[int, tuple[str, ...]]:
    """The reader's own reactions on these messages, in one query (for the buttons' pressed state)."""
    if not message_ids:
        return {}
    rows = db.session.execute(
        select(Reaction.message_id, Reaction.kind).where(
            Reaction.user_id == user.id, Reaction.message_id.in_(sorted(set(message_ids)))
        )
    ).all()
    given: dict[int, list[str]] = {}
    for message_id, kind in rows:
        given.setdefault(message_id, []).append(kind)
    return {message_id: tuple(sorted(kinds)) for message_id, kinds in given.items()}


def by_day(
    messages: Sequence[Message], payloads: Sequence[dict[str, Any]], mine: dict[int, tuple[str, ...]]
) -> list[Day]:
    """Messages (oldest first) grouped under "Today", "Yesterday" or a date, in the reader's time zone."""
    today = to_user_timezone(utcnow()).date()
    days: list[Day] = []
    for message, payload in zip(messages, payloads, strict=True):
        created = to_user_timezone(message.created_at)
        key = created.date().isoformat()
        if not days or days[-1].key != key:
            days.append(Day(key, day_label(created.date(), today), []))
        days[-1].items.append(MessageItem(payload, created, mine.get(message.id, ())))
    return days


def page_of_messages(access: ConversationAccess, before_seq: int | None) -> tuple[list[Day], int | None]:
    """The latest 50 messages (or the 50 before ``before_seq``) by day, and the seq to load older ones from."""
    page = latest(access, before_seq=before_seq)
    payloads = message_payloads(page.messages, access.group.id)
    mine = my_reactions(access.actor, [m.id for m in page.messages if m.state == "published"])
    oldest = page.messages[0].seq if page.has_more and page.messages else None
    return by_day(page.messages, payloads, mine), oldest


def cannot_write_reason(access: ConversationAccess) -> str:
    """Why the message box is missing, in words the reader can act on."""
    if policy.is_muted(access.membership):
        return str(_l("You are muted in this group for now: you can read, but not write."))
    if access.group.state != "active":
        return str(_l("This group is archived; you can read it but not write in it."))
    if access.request_pending:
        return str(_l("Accept the request above to write in this conversation."))
    if access.conversation.kind == "private":
        return str(_l("This conversation is closed for new messages. You can still read it."))
    return str(_l("You cannot write here at the moment."))


def rooms_of(groups: Sequence[Group], unread: dict[int, int]) -> list[dict[str, Any]]:
    """The group rooms of these groups with their unread counts, in one query (a group without a room yet
    shows with none unread)."""
    ids = sorted({group.id for group in groups})
    room_ids = (
        dict(
            db.session.execute(
                select(Conversation.group_id, Conversation.id).where(
                    Conversation.group_id.in_(ids), Conversation.kind == "group"
                )
            ).all()
        )
        if ids
        else {}
    )
    return [
        {"slug": group.slug, "title": group.name, "unread": unread.get(room_ids.get(group.id, 0), 0)}
        for group in groups
    ]


def group_page_preview(_viewer: User, access: GroupAccess, _args: Mapping[str, str]) -> dict[str, Any]:
    """The chat section of a group's page (``groups.page_sections``): the room's latest few messages."""
    return {"recent_messages": history(find_group_room(access.group.id), limit=5)}
