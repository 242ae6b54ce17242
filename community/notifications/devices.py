"""The member's devices for Web Push: subscribing a browser (its endpoint checked: the server POSTs there, so only
to a known push service), turning it off, the list under the account, removing one. Sending is ``push.py``'s."""

from __future__ import annotations

import base64
import binascii
import ipaddress
import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from cryptography.hazmat.primitives.asymmetric import ec
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select

from community.auth.account import describe_browser
from community.auth.models import User
from community.core.errors import DomainError, NotFound
from community.core.time import utcnow
from community.extensions import db
from community.notifications.models import PushSubscription

log = logging.getLogger(__name__)

ENDPOINT_MAX = 1024


@dataclass(frozen=True)
class Device:
    id: int
    browser: str
    system: str
    created_at: datetime
    last_used_at: datetime | None


def _summary(user_agent: str) -> str:
    """ "Chrome/Android": the browser and the system, kept apart so the page can say them in any language."""
    browser, system = describe_browser(user_agent or "")
    return f"{browser}/{system}"[:64]


def _decoded(value: object, length: int) -> bytes | None:
    if not isinstance(value, str) or not value or len(value) > 200:
        return None
    try:
        raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except (binascii.Error, ValueError):
        return None
    return raw if len(raw) == length else None


def _host_allowed(host: str) -> bool:
    hosts = [entry.strip().lower().lstrip(".") for entry in current_app.config["PUSH_SERVICE_HOSTS"] if entry]
    if not hosts:
        return True
    return any(host == entry or host.endswith("." + entry) for entry in hosts)


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def endpoint_allowed(endpoint: str) -> bool:
    """An https address of a known push service; http only on this machine, and only where the tests allow it."""
    try:
        parts = urlsplit(endpoint)
        host = (parts.hostname or "").lower()
        parts.port  # noqa: B018 (raises ValueError for a port that is not a number)
    except ValueError:
        return False
    if not host or parts.username is not None or parts.password is not None or parts.fragment:
        return False
    if parts.scheme == "https":
        return not _is_loopback(host) and _host_allowed(host)
    return parts.scheme == "http" and _is_loopback(host) and bool(current_app.config["PUSH_ALLOW_INSECURE_ENDPOINTS"])


_BAD_SUBSCRIPTION = _l("This device's push subscription could not be used. Please try again.")


def subscribe(user: User, data: Any, user_agent: str = "") -> PushSubscription:
    """Store a device from the browser's ``PushSubscription.toJSON()``: ``{"endpoint", "keys": {"p256dh",
    "auth"}}``. The same endpoint again (the same browser) replaces its row, whoever had it; a new one counts
    against PUSH_MAX_DEVICES. Anything malformed is refused and nothing is stored."""
    if not isinstance(data, dict) or not isinstance(data.get("keys"), dict):
        raise DomainError(_BAD_SUBSCRIPTION)
    endpoint, keys = data.get("endpoint"), data["keys"]
    if not isinstance(endpoint, str) or not 0 < len(endpoint) <= ENDPOINT_MAX or not endpoint_allowed(endpoint):
        raise DomainError(_BAD_SUBSCRIPTION)
    point, secret = _decoded(keys.get("p256dh"), 65), _decoded(keys.get("auth"), 16)
    if point is None or secret is None:
        raise DomainError(_BAD_SUBSCRIPTION)
    try:
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), point)  # on the curve, uncompressed
    except ValueError:
        raise DomainError(_BAD_SUBSCRIPTION) from None
    row = db.session.scalar(select(PushSubscription).where(PushSubscription.endpoint == endpoint))
    others = select(func.count()).select_from(PushSubscription).where(PushSubscription.user_id == user.id)
    if row is not None:
        others = others.where(PushSubscription.id != row.id)
    limit = current_app.config["PUSH_MAX_DEVICES"]
    if (db.session.scalar(others) or 0) >= limit:
        raise DomainError(
            _l("You have turned on notifications on %(max)d devices, the most there can be. Remove one on the "
               "“Your devices” page first.", max=limit)
        )  # fmt: skip
    row = row or PushSubscription(endpoint=endpoint, created_at=utcnow())
    row.user_id = user.id
    row.p256dh = base64.urlsafe_b64encode(point).rstrip(b"=").decode()
    row.auth = base64.urlsafe_b64encode(secret).rstrip(b"=").decode()
    row.user_agent = _summary(user_agent)
    db.session.add(row)
    db.session.flush()
    return row


def unsubscribe(user: User, endpoint: object) -> bool:
    """ "Turn off on this device": forget the member's subscription with this endpoint (if there is one)."""
    if not isinstance(endpoint, str) or not endpoint:
        raise DomainError(_BAD_SUBSCRIPTION)
    result = db.session.execute(
        delete(PushSubscription).where(PushSubscription.user_id == user.id, PushSubscription.endpoint == endpoint)
    )
    return bool(result.rowcount)


def devices(user: User) -> list[Device]:
    rows = db.session.scalars(
        select(PushSubscription).where(PushSubscription.user_id == user.id).order_by(PushSubscription.id)
    )
    found = []
    for row in rows:
        browser, _slash, system = (row.user_agent or "").partition("/")
        found.append(Device(row.id, browser, system, row.created_at, row.last_used_at))
    return found


def remove_device(user: User, device_id: int) -> None:
    """Remove one of the member's own devices; anyone else's, or one already gone, is "not found"."""
    result = db.session.execute(
        delete(PushSubscription).where(PushSubscription.id == device_id, PushSubscription.user_id == user.id)
    )
    if not result.rowcount:
        raise NotFound(_l("We could not find that device. It may have been removed already."))
