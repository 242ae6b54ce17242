"""Strict checks of Socket.IO event payloads, before any service is called.

A payload is a JSON object. Each reader returns the typed value or raises ``Invalid`` (wrong type, missing,
out of range) or ``TooLarge`` (a text over its limit). Unknown fields are ignored. JSON has no separate
integer type in the browser, but ``1.0``, ``"1"`` and ``true`` are not ids: only real integers pass.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from flask_babel import lazy_gettext as _l

from community.chat.errors import Invalid, TooLarge

INT_MAX = 2**31 - 1  # an INTEGER column on both databases
CLIENT_ID_PATTERN = re.compile(r"[A-Za-z0-9_.:-]{1,64}")


def payload_object(payload: Any) -> dict[str, Any]:
    if not isinstance(payload, dict):
        raise Invalid(_l("Something was wrong with that request. Reload the page and try again."))
    return payload


def integer(payload: dict[str, Any], key: str, *, minimum: int = 1, maximum: int = INT_MAX) -> int:
    value = payload.get(key)
    if isinstance(value, bool) or not isinstance(value, int) or not minimum <= value <= maximum:
        raise Invalid(_l("Something was wrong with that request. Reload the page and try again."), field=key)
    return value


def optional_integer(payload: dict[str, Any], key: str, *, default: int | None = None, **limits: int) -> int | None:
    if payload.get(key) is None:
        return default
    return integer(payload, key, **limits)


def text(payload: dict[str, Any], key: str, *, max_length: int, required: bool = True) -> str:
    """A string of at most ``max_length`` characters. Emptiness (after trimming) is the service's to judge."""
    value = payload.get(key)
    if value is None and not required:
        return ""
    if not isinstance(value, str):
        raise Invalid(_l("Something was wrong with that request. Reload the page and try again."), field=key)
    if len(value) > max_length:
        raise TooLarge(_l("That is too long: at most %(count)s characters.", count=f"{max_length:,}"), field=key)
    return value


def boolean(payload: dict[str, Any], key: str) -> bool:
    value = payload.get(key)
    if not isinstance(value, bool):
        raise Invalid(_l("Something was wrong with that request. Reload the page and try again."), field=key)
    return value


def client_id(payload: dict[str, Any], key: str = "client_id") -> str:
    """The sender's own id for a message (a UUID in the browser): 1 to 64 letters, digits, or ``_ . : -``."""
    value = payload.get(key)
    if not isinstance(value, str) or not CLIENT_ID_PATTERN.fullmatch(value):
        raise Invalid(_l("The message has no valid client id. Reload the page and try again."), field=key)
    return value


def choice(payload: dict[str, Any], key: str, choices: tuple[str, ...]) -> str:
    value = payload.get(key)
    if not isinstance(value, str) or value not in choices:
        raise Invalid(_l("Choose one of the options shown."), field=key)
    return value


def optional_moment(payload: dict[str, Any], key: str) -> datetime | None:
    """An ISO 8601 time the server gave out earlier (``synced_at``), as naive UTC; absent or null: None."""
    value = payload.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or len(value) > 40:
        raise Invalid(_l("Something was wrong with that request. Reload the page and try again."), field=key)
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise Invalid(_l("Something was wrong with that request. Reload the page and try again."), field=key) from None
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment
