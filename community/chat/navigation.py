"""The navigation's "Chats" entry (``core.layout``), registered by chat's wiring: its badge is the total of
unread messages, and the link carries the count per conversation for ``static/js/chat-unread.js``."""

from __future__ import annotations

import logging
from typing import Any

from flask import g
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import SQLAlchemyError

from community.chat import unread
from community.core import layout
from community.extensions import db

log = logging.getLogger(__name__)


def unread_by_conversation(user: Any) -> dict[int, int]:
    """Unread messages per conversation: with the session lookup on pages (``chat.unread.unread_counts``), else
    one query, at most once per request."""
    if "chat_unread" not in g:
        try:
            g.chat_unread = unread.unread_counts(user)
        except SQLAlchemyError as error:  # the navigation must never turn a page (or an error page) into a 500
            log.warning("chat unread counts unavailable: %s", type(error).__name__)
            db.session.rollback()  # PostgreSQL refuses every later query of an aborted transaction
            g.chat_unread = {}
    return g.chat_unread


def unread_total(user: Any) -> int:
    return sum(unread_by_conversation(user).values())


ENTRY = layout.NavEntry(
    "chat",
    _l("Chats"),
    "chat.conversations_page",
    30,
    layout.on_blueprint("chat"),
    badge=layout.Badge("data-chat-unread-count", unread_total, "data-chat-unread", unread_by_conversation),
)
