"""Socket.IO adapter: ``safeguarding:raise`` {message_id, note?, danger_now?} — "I'm worried about this
person" on a chat message. Same rules as the page: chat finds the message with its own read rules
(``services.concern_about_message``), then safeguarding opens or joins the case.

Flask's request hooks do not run for socket events, so the handler refuses a signed-out socket itself, checks
the payload strictly, commits once (the moderators' alert goes out after the commit) and acknowledges
``{"ok": true, "message": ..., "notices": [...], "help": {"url", "label"}}`` or ``{"ok": false, "error": ...}``.

Each event counts against the member's ``SAFEGUARDING_RAISE_RATE``, in the same bucket as the pages' POSTs (one
allowance, whichever way it is used). Over it: ``{"ok": false, "code": "rate_limited", "error": ...}`` with the
helplines, because the person may still be worried.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from flask_login import current_user
from flask_socketio import SocketIO

from community.chat import services, validation
from community.core.counters import hit_shared_limit
from community.core.errors import DomainError
from community.core.security import member_key
from community.extensions import db
from community.moderation.safeguarding import helplines
from community.moderation.safeguarding import services as safeguarding

log = logging.getLogger(__name__)


def _too_many() -> dict[str, Any]:
    """Refused for now, but never without the helplines: the person may still be worried."""
    error = _(
        "You have raised many concerns in a short time, so this one was not sent. Try again later. "
        "The helplines below are there for you now."
    )
    return {"ok": False, "code": "rate_limited", "error": error, **helplines.notices_ack((helplines.support_text(),))}


def raise_ack(payload: Any) -> dict[str, Any]:
    try:
        if not current_user.is_authenticated:
            return {"ok": False, "error": _("Your session has ended. Sign in again to go on.")}
        if hit_shared_limit(
            current_app.config["SAFEGUARDING_RAISE_RATE"], member_key(), safeguarding.RAISE_LIMIT_SCOPE
        ):
            return _too_many()
        data = validation.payload_object(payload)
        message_id = validation.integer(data, "message_id")
        note = validation.text(data, "note", max_length=safeguarding.NOTE_MAX, required=False)
        danger_now = validation.boolean(data, "danger_now") if "danger_now" in data else False
        about = services.concern_about_message(current_user, message_id)
        safeguarding.raise_concern(current_user, about, note=note, danger_now=danger_now)
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        return {"ok": False, "error": str(error.message)}
    except Exception as error:  # noqa: BLE001 (the handler must never crash the connection)
        db.session.rollback()
        log.error("safeguarding:raise failed: %s", type(error).__name__)
        return {"ok": False, "error": _("Something went wrong on our side. Try again in a moment.")}
    thanks = _(
        "Thank you for telling us. The group's moderators have been alerted and will look at this soon. "
        "You did the right thing."
    )
    return {"ok": True, "message": thanks, **helplines.notices_ack((helplines.support_text(),))}


def register(socketio: SocketIO) -> None:
    socketio.on("safeguarding:raise")(raise_ack)
