"""The outbox mechanism both channels share (email: ``outbox.py``, Web Push: ``push.py``): which rows are due,
claiming one row for one sender, back-off between attempts, and ending an attempt.

A row is claimed by one conditional UPDATE (``pending`` and due, or ``sending`` for longer than
NOTIFICATIONS_SENDING_STALE_SECONDS: its sender died), committed at once, so of two senders running at the same
moment (two cron runs, cron and an after-commit send) exactly one sends it. Retries wait
NOTIFICATIONS_RETRY_BASE_SECONDS, doubling, at most NOTIFICATIONS_RETRY_MAX_SECONDS, NOTIFICATIONS_MAX_ATTEMPTS
times in all.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import ColumnElement, or_, select, update

from community.extensions import db


def backoff(attempts: int) -> timedelta:
    config = current_app.config
    seconds = config["NOTIFICATIONS_RETRY_BASE_SECONDS"] * (2 ** max(attempts - 1, 0))
    return timedelta(seconds=min(seconds, config["NOTIFICATIONS_RETRY_MAX_SECONDS"]))


def _takeable(model: Any, now: datetime) -> ColumnElement[bool]:
    stale = now - timedelta(seconds=current_app.config["NOTIFICATIONS_SENDING_STALE_SECONDS"])
    return or_(
        (model.status == "pending") & (model.next_attempt_at <= now),
        (model.status == "sending") & (model.claimed_at < stale),
    )


def due_ids(model: Any, now: datetime, limit: int) -> list[int]:
    """The ids of rows due now (or left "sending" by a sender that died), oldest first; ends the transaction."""
    ids = list(
        db.session.scalars(
            select(model.id).where(_takeable(model, now)).order_by(model.next_attempt_at, model.id).limit(limit)
        )
    )
    db.session.commit()
    return ids


def claim(model: Any, row_id: int, now: datetime) -> bool:
    """Take one row for sending: a single conditional UPDATE, so of two senders exactly one wins."""
    result = db.session.execute(
        update(model)
        .where(model.id == row_id, _takeable(model, now))
        .values(status="sending", claimed_at=now, attempts=model.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return result.rowcount == 1


def finish(model: Any, row_id: int, **values: object) -> None:
    """End an attempt: the row's new status and whatever else changes, committed at once."""
    db.session.execute(
        update(model).where(model.id == row_id).values(**values).execution_options(synchronize_session=False)
    )
    db.session.commit()


def retry_or_fail(model: Any, row_id: int, attempts: int, now: datetime, reason: str, **values: object) -> bool:
    """A retryable failure: try again after the back-off, or, after NOTIFICATIONS_MAX_ATTEMPTS, give up.
    Returns True when it will be retried."""
    if attempts >= current_app.config["NOTIFICATIONS_MAX_ATTEMPTS"]:
        finish(model, row_id, status="failed", last_error=reason[:200], **values)
        return False
    finish(model, row_id, status="pending", last_error=reason[:200], next_attempt_at=now + backoff(attempts), **values)
    return True
