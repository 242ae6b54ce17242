"""Web Push (RFC 8030, encrypted per RFC 8291, signed with VAPID per RFC 8292): the push outbox and sending (the
member's devices, and which endpoints are allowed, are ``devices.py``).

Rows go into ``push_outbox`` in ``notify()``'s transaction (only for members with a device), and are sent after
the commit on a background thread; ``flask notifications send-push`` (cron) sends what is left or due again.
Both claim each row through ``sending.py``, as the email outbox does. pywebpush encrypts and signs; nothing here
does cryptography of its own.

A push says what kind of thing happened and how often, in the member's language, and where to open it: never
what anyone wrote, never a name, and the group's name only when the member chose it. At most one push per member
and target (a topic, a conversation, a group) goes out per PUSH_BUNDLE_SECONDS: later events count up the
waiting push, or, once one was sent, only the notification centre shows them.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import requests
from flask import Flask, current_app
from flask_babel import force_locale, ngettext
from pywebpush import WebPushException, webpush
from sqlalchemy import func, select, update

from community.auth.models import User
from community.core import jobs
from community.core.time import utcnow
from community.core.transaction import on_commit_batch
from community.extensions import db
from community.groups.models import Group, Membership
from community.groups.policy import READING_STATES
from community.notifications import preferences, sending, vapid
from community.notifications.kinds import KINDS, email_line
from community.notifications.models import Notification, NotificationSettings, PushOutbox, PushSubscription

log = logging.getLogger(__name__)
QUIET_KEY = "quiet"  # everything that came in during quiet hours: one push when they end


# --- queueing (from notify) --------------------------------------------------------------------------------------


def target_key(target_type: str, target_id: int | None, topic_id: int | None, group_id: int | None) -> str:
    """What pushes are bundled by, and the tag a phone replaces rather than stacks: the topic a post is in, else
    the target itself (a conversation, a request), else the group."""
    if topic_id is not None:
        return f"topic-{topic_id}"
    if target_id is not None:
        return f"{target_type}-{target_id}"[:64]
    return f"group-{group_id}" if group_id is not None else "kring"


def queue(notes: list[Notification], *, kind: str, group_id: int | None, key: str, now: datetime) -> None:
    """In ``notify()``'s transaction: one outbox row per member with a device (bundled by ``key``), sent after
    the commit unless quiet hours hold it back until they end. A few queries whatever the number of members (an
    announcement reaches a whole group)."""
    ids = [note.user_id for note in notes]
    if ids:
        with_devices = set(
            db.session.scalars(select(PushSubscription.user_id).where(PushSubscription.user_id.in_(ids)).distinct())
        )
        notes = [note for note in notes if note.user_id in with_devices]
    if not notes:
        return
    ids = [note.user_id for note in notes]
    quiet = preferences.quiet_ends(ids, now)
    pending = {
        (row.user_id, row.target_key): row
        for row in db.session.execute(
            select(PushOutbox.id, PushOutbox.user_id, PushOutbox.target_key, PushOutbox.kind).where(
                PushOutbox.user_id.in_(ids), PushOutbox.target_key.in_((key, QUIET_KEY)),
                PushOutbox.status == "pending",
            )
        )
    }  # fmt: skip
    window = now - timedelta(seconds=current_app.config["PUSH_BUNDLE_SECONDS"])
    lately = set(
        db.session.scalars(
            select(PushOutbox.user_id).where(
                PushOutbox.user_id.in_(ids), PushOutbox.target_key == key,
                (PushOutbox.status == "sending") | ((PushOutbox.status == "sent") & (PushOutbox.sent_at >= window)),
            )
        )
    )  # fmt: skip
    due: list[PushOutbox] = []
    for note in notes:
        ends = quiet.get(note.user_id)
        bundle = QUIET_KEY if ends else key
        opens = note.id if note.in_app and not ends else None
        waiting = pending.get((note.user_id, bundle))
        if waiting is not None and _count_up(waiting.id, waiting.kind, kind, opens):
            continue
        if not ends and note.user_id in lately:
            continue  # the centre counts it; the phone was told about this target a moment ago
        row = PushOutbox(
            user_id=note.user_id, kind=kind, group_id=group_id if not ends else None, target_key=bundle,
            notification_id=opens, item_count=1, created_at=now, next_attempt_at=ends or now, sent_to=[],
        )  # fmt: skip
        db.session.add(row)
        if not ends:
            due.append(row)
    if due:
        db.session.flush()
        for row in due:
            on_commit_batch(_send_committed, row.id)


def _count_up(row_id: int, row_kind: str, kind: str, opens: int | None) -> bool:
    values: dict[str, object] = {"item_count": PushOutbox.item_count + 1, "kind": kind if row_kind == kind else ""}
    if opens is not None:
        values["notification_id"] = opens  # the latest one: opening it shows the newest
    # Conditional: if a sender took it meanwhile, nothing changes here and the caller queues a new one.
    changed = db.session.execute(
        update(PushOutbox)
        .where(PushOutbox.id == row_id, PushOutbox.status == "pending")
        .values(**values)
        .execution_options(synchronize_session=False)
    ).rowcount
    return bool(changed)


# --- sending -----------------------------------------------------------------------------------------------------


@dataclass
class PushReport:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    skipped: int = 0
    removed: int = 0  # devices whose push service said they are gone (404, 410)


def _send_committed(row_ids: list[int]) -> None:
    """After the commit: a transaction's pushes, together, off the request (tests: at once)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if not app.config["PUSH_SEND_IN_BACKGROUND"]:
        _deliver(app, row_ids)
        return
    # A thread, or a greenlet under gevent's monkey-patching: the response does not wait for the push services.
    threading.Thread(target=_deliver, args=(app, row_ids), name="kring-push", daemon=False).start()


def _deliver(app: Flask, row_ids: list[int]) -> None:
    with app.app_context():
        try:
            send_rows(row_ids, utcnow())
        except Exception as error:  # noqa: BLE001 (committed already: `send-push` takes what is left)
            db.session.rollback()
            log.warning("push not sent: %s", type(error).__name__)


@jobs.job("notifications.send-push", every=timedelta(minutes=5))
def send_due(*, limit: int = 200, now: datetime | None = None) -> PushReport:
    """Send what is due, oldest first (cron: ``flask notifications send-push``). Cron-safe like ``send-mail``."""
    now = now or utcnow()
    return send_rows(sending.due_ids(PushOutbox, now, limit), now)


def send_rows(row_ids: list[int], now: datetime) -> PushReport:
    report = PushReport()
    with requests.Session() as http:
        http.max_redirects = 0  # a push service answers; it never sends us elsewhere
        for row_id in row_ids:
            if sending.claim(PushOutbox, row_id, now):
                _send_one(row_id, now, http, report)
    return report


def _send_one(row_id: int, now: datetime, http: requests.Session, report: PushReport) -> None:
    row = db.session.get(PushOutbox, row_id)
    user = db.session.get(User, row.user_id)
    if user is None or user.state != "active":
        sending.finish(PushOutbox, row_id, status="skipped", last_error="account not active")
        report.skipped += 1
        return
    if row.notification_id is not None and row.item_count == 1:
        read = db.session.scalar(select(Notification.read_at).where(Notification.id == row.notification_id))
        if read is not None:  # seen in an open page already
            sending.finish(PushOutbox, row_id, status="skipped", last_error="already read")
            report.skipped += 1
            return
    done = list(row.sent_to or [])
    subscriptions = list(
        db.session.scalars(
            select(PushSubscription).where(PushSubscription.user_id == user.id).order_by(PushSubscription.id)
        )
    )
    data = payload(row, user)
    retry, refused = "", ""
    for subscription in subscriptions:
        if subscription.id in done:
            continue
        outcome = _push(subscription, data, row.target_key, http)
        if outcome == "ok":
            done.append(subscription.id)
            subscription.last_used_at = utcnow()
        elif outcome == "gone":
            db.session.delete(subscription)  # the browser unsubscribed, or its service forgot it
            report.removed += 1
        elif outcome.startswith("retry"):
            retry = outcome
        else:
            refused = outcome
    db.session.commit()
    if retry:
        if sending.retry_or_fail(PushOutbox, row_id, row.attempts, now, retry, sent_to=done):
            report.retried += 1
        else:
            report.failed += 1
    elif done and len(done) > len(row.sent_to or []):
        sending.finish(PushOutbox, row_id, status="sent", sent_at=utcnow(), last_error=refused, sent_to=done)
        report.sent += 1
    elif refused:
        sending.finish(PushOutbox, row_id, status="failed", last_error=refused, sent_to=done)
        report.failed += 1
    else:
        sending.finish(PushOutbox, row_id, status="skipped", last_error="no device", sent_to=done)
        report.skipped += 1


def _topic(bundle: str) -> str:
    """RFC 8030's Topic: at most 32 characters of base64url's alphabet (a longer target key is hashed)."""
    return bundle if len(bundle) <= 32 else hashlib.sha256(bundle.encode()).hexdigest()[:32]


def _push(subscription: PushSubscription, data: str, bundle: str, http: requests.Session) -> str:
    """One push to one device: "ok", "gone" (404/410), "retry ..." (429, 5xx, no connection) or "failed ..."."""
    config = current_app.config
    parts = urlsplit(subscription.endpoint)
    try:
        webpush(
            {"endpoint": subscription.endpoint, "keys": {"p256dh": subscription.p256dh, "auth": subscription.auth}},
            data=data,
            vapid_private_key=vapid.key(),
            vapid_claims={"sub": vapid.subject(), "aud": f"{parts.scheme}://{parts.netloc}"},
            ttl=int(config["PUSH_TTL_SECONDS"]),
            # RFC 8030 Topic: a push still waiting at the service for this target is replaced, not added to.
            headers={"Urgency": "normal", "Topic": _topic(bundle)},
            timeout=float(config["PUSH_TIMEOUT_SECONDS"]),
            requests_session=http,
        )
    except WebPushException as error:
        status = error.status_code
        if status in (404, 410):
            return "gone"
        if status is not None and (status == 429 or status >= 500):
            return f"retry HTTP {status}"
        log.warning("push %s refused: HTTP %s", subscription.id, status)  # the device's id only, no address
        return f"failed HTTP {status}"
    except requests.RequestException as error:
        return f"retry {type(error).__name__}"
    return "ok"


def _group_name(user: User, group_id: int | None) -> str | None:
    """The group's name for a member who chose to see it, while they can still read the group."""
    if group_id is None:
        return None
    settings = db.session.get(NotificationSettings, user.id)
    if settings is None or not settings.push_group_name:
        return None
    return db.session.scalar(
        select(Group.name)
        .join(Membership, Membership.group_id == Group.id)
        .where(Group.id == group_id, Membership.user_id == user.id, Membership.state.in_(READING_STATES))
    )


def payload(row: PushOutbox, user: User) -> str:
    """The JSON the service worker shows: ``title``, ``body``, ``url`` (a path on this site), ``tag``. Counts and
    kinds only (``kinds.py``'s email lines, which hold no names or text); the group's name when chosen."""
    with force_locale(user.language or "en"):
        if row.kind in KINDS:
            body = email_line(row.kind, row.item_count)
        else:
            body = ngettext("You have a new notification.", "You have %(num)d new notifications.", row.item_count)
        name = _group_name(user, row.group_id)
        if name:
            body = f"{body} ({name})"
    url = f"/notifications/{row.notification_id}/open" if row.notification_id else "/notifications"
    return json.dumps({"title": "Kring", "body": str(body), "url": url, "tag": f"kring-{row.target_key}"})


def outbox_counts() -> dict[str, int]:
    rows = db.session.execute(select(PushOutbox.status, func.count()).group_by(PushOutbox.status)).all()
    return {status: int(count) for status, count in rows}
