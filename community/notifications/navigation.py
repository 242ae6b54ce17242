"""The navigation's "Notifications" entry (``core.layout``), registered by notifications' wiring, and the unread
count behind its badge and the inbox's sentence."""

from __future__ import annotations

import logging
from typing import Any

from flask import g
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import SQLAlchemyError

from community.core import layout, page_preloads
from community.extensions import db
from community.notifications import services

log = logging.getLogger(__name__)


def unread_for(user: Any) -> int | None:
    """The member's unread count: read with the session lookup on pages (``core.page_preloads``), else one
    indexed count, at most once per request. None when the database could not answer."""
    if "unread_notifications" not in g:  # services forget it when the count changes in this request
        preloaded = page_preloads.get(user, services.UNREAD_PRELOAD)
        if preloaded is not page_preloads.MISSING:
            g.unread_notifications = preloaded
            return preloaded
        try:
            g.unread_notifications = services.unread_count(user.id)
        except SQLAlchemyError as error:  # the navigation must never turn a page (or an error page) into a 500
            log.warning("unread count unavailable: %s", type(error).__name__)
            db.session.rollback()  # PostgreSQL refuses every later query of an aborted transaction
            g.unread_notifications = None
    return g.unread_notifications


ENTRY = layout.NavEntry(
    "notifications",
    _l("Notifications"),
    "notifications.inbox",
    20,
    layout.on_blueprint("notifications"),
    badge=layout.Badge("data-notification-count", unread_for),
)
