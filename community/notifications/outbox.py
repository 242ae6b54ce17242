"""Email from notifications: the outbox, the sender with retries, and the digests.

Rows go into ``email_outbox`` in the same transaction as the notification that caused them, so an email is never
lost when the mail server is down and never sent for something that was rolled back. ``send_due`` (cron:
``flask notifications send-mail``) claims each row with one conditional UPDATE (``sending.py``, shared with the
push channel), so two senders never send the same row; a refused address (SMTP 5xx) is flagged for the admin and
not retried.

No email carries member content, names or (for sensitive groups) the group's name: only counts and a link.
"""

from __future__ import annotations

import hashlib
import logging
import smtplib
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError, OperationalError

from community.auth.models import User
from community.core import jobs
from community.core.mail import mail_connection, send_mail
from community.core.time import utcnow
from community.extensions import db
from community.groups.models import Group
from community.notifications import preferences, sending
from community.notifications.kinds import email_line
from community.notifications.models import DigestRun, EmailOutbox, MailProblem, Notification

log = logging.getLogger(__name__)
PERIODS = ("daily", "weekly")
DIGEST_ITEMS_MAX = 1000  # notifications summed up in one digest (only counts are shown)


def _address_hash(address: str) -> str:
    return hashlib.sha256(address.strip().lower().encode()).hexdigest()


def _mailable(user: User | None) -> bool:
    if user is None or not user.email or user.state != "active":
        return False
    problem = db.session.get(MailProblem, user.id)
    return problem is None or problem.address_hash != _address_hash(user.email)


def _link() -> str:
    return f"{current_app.config['BASE_URL']}/notifications"


def _footer() -> str:
    return (
        "\n\n"
        + _("You can change which emails you get on your notification settings page:")
        + (f"\n{current_app.config['BASE_URL']}/notifications/settings\n")
    )


def _body(lines: list[str]) -> str:
    opening = _("Hello,")
    action = _("Sign in to Kring to read them:")
    return f"{opening}\n\n" + "\n".join(lines) + f"\n\n{action}\n{_link()}" + _footer()


def queue_immediate(user: User, kind: str, group_id: int | None, when: datetime) -> None:
    """One email for a new notification of ``kind``. A pending email of the same kind for the member (waiting for
    quiet hours to end, or for a retry) is counted up instead, so nobody gets a flood."""
    if not _mailable(user):
        return
    with force_locale(user.language or "en"):
        pending = db.session.scalar(
            select(EmailOutbox).where(
                EmailOutbox.user_id == user.id, EmailOutbox.kind == kind, EmailOutbox.status == "pending",
                EmailOutbox.attempts == 0,
            ).limit(1)
        )  # fmt: skip
        if pending is not None:
            count = pending.item_count + 1
            # Conditional: if a sender claimed it meanwhile, this changes nothing and a new email is queued.
            changed = db.session.execute(
                update(EmailOutbox)
                .where(EmailOutbox.id == pending.id, EmailOutbox.status == "pending")
                .values(item_count=count, body=_body([email_line(kind, count) + " " + _("(in Kring)")]))
                .execution_options(synchronize_session=False)
            ).rowcount
            if changed:
                return
        line = email_line(kind, 1)
        if group_id is not None and not preferences.group_is_sensitive(group_id):
            group = db.session.get(Group, group_id)
            line += " " + _("Group: %(name)s.", name=group.name if group else "")
        else:
            line += " " + _("(in Kring)")
        quiet = preferences.quiet_until(user.id, when)
        db.session.add(
            EmailOutbox(
                user_id=user.id, kind=kind, subject=_("News for you in Kring"), body=_body([line]), item_count=1,
                created_at=when, next_attempt_at=quiet or when,
            )
        )  # fmt: skip


# --- sending -----------------------------------------------------------------------------------------------------


@dataclass
class SendReport:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    skipped: int = 0


def _permanent_code(error: Exception) -> int | None:
    """The SMTP 5xx code if the server refused this recipient or message for good; None for a retryable error."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _msg in error.recipients.values()]
        return max(codes) if codes and min(codes) >= 500 else None
    if isinstance(error, smtplib.SMTPSenderRefused):
        return None  # our own From address: a configuration problem, not the member's address
    if isinstance(error, smtplib.SMTPResponseException) and 500 <= error.smtp_code < 600:
        return error.smtp_code
    return None


@mail_connection()  # the whole run shares one SMTP connection
@jobs.job("notifications.send-mail", every=timedelta(minutes=5))
def send_due(*, limit: int = 200, now: datetime | None = None) -> SendReport:
    """Send what is due, oldest first. Cron-safe: rows are claimed one by one; a crash leaves a row "sending",
    which is taken again after NOTIFICATIONS_SENDING_STALE_SECONDS."""
    report = SendReport()
    now = now or utcnow()
    for row_id in sending.due_ids(EmailOutbox, now, limit):
        if not sending.claim(EmailOutbox, row_id, now):
            continue
        row = db.session.get(EmailOutbox, row_id)
        user = db.session.get(User, row.user_id)
        if not _mailable(user):
            sending.finish(EmailOutbox, row_id, status="skipped", last_error="no usable address")
            report.skipped += 1
            continue
        try:
            send_mail(user.email, row.subject, row.body)
        except (smtplib.SMTPException, OSError) as error:
            code = _permanent_code(error)
            reason = f"{type(error).__name__} {getattr(error, 'smtp_code', code) or ''}".strip()[:200]
            log.warning("mail %s not sent: %s", row_id, reason)  # the row id and error class only, no address
            if code is not None:
                _flag(user, code)
                sending.finish(EmailOutbox, row_id, status="failed", last_error=reason)
                report.failed += 1
            elif sending.retry_or_fail(EmailOutbox, row_id, row.attempts, now, reason):
                report.retried += 1
            else:
                report.failed += 1
            continue
        sending.finish(EmailOutbox, row_id, status="sent", sent_at=utcnow(), last_error="")
        report.sent += 1
    return report


def _flag(user: User, code: int) -> None:
    problem = db.session.get(MailProblem, user.id) or MailProblem(user_id=user.id)
    problem.flagged_at, problem.smtp_code, problem.address_hash = utcnow(), code, _address_hash(user.email or "")
    db.session.add(problem)
    db.session.flush()


# --- digests -----------------------------------------------------------------------------------------------------


def period_start(period: str, now: datetime) -> datetime:
    if period not in PERIODS:
        raise ValueError(f"period must be one of {PERIODS}")
    day = now.replace(hour=0, minute=0, second=0, microsecond=0)
    return day if period == "daily" else day - timedelta(days=day.weekday())


@dataclass
class DigestReport:
    sent: int = 0  # digests queued in the outbox
    already: int = 0  # members another run (or an earlier one) already handled for this period
    busy: int = 0  # the database was busy for a member: nothing was claimed, the next run takes them


@jobs.job("notifications.send-digests", every=timedelta(days=1))
def send_digests(period: str, *, now: datetime | None = None, batch: int = 500) -> DigestReport:
    """Queue one digest per member with notifications waiting for this period. Idempotent per member and period:
    a DigestRun row is inserted first, in the member's own transaction, so a second run (even at the same
    moment) fails on the unique key and skips the member. The digest itself goes through the outbox."""
    now = now or utcnow()
    start = period_start(period, now)
    report = DigestReport()
    user_ids = db.session.scalars(
        select(Notification.user_id)
        .where(Notification.email_mode == period, Notification.emailed_at.is_(None), Notification.created_at <= now)
        .group_by(Notification.user_id)
        .order_by(Notification.user_id)
        .limit(batch)
    ).all()
    db.session.commit()
    for user_id in user_ids:
        try:
            if _digest_for(user_id, period, start, now):
                report.sent += 1
            else:
                report.already += 1
            db.session.commit()
        except IntegrityError:
            db.session.rollback()
            report.already += 1
        except OperationalError:  # SQLite: the other run held the write lock past the busy timeout
            db.session.rollback()
            report.busy += 1
    return report


def _digest_for(user_id: int, period: str, start: datetime, now: datetime) -> bool:
    if db.session.scalar(select(DigestRun.id).filter_by(user_id=user_id, period=period, period_start=start)):
        return False
    run = DigestRun(user_id=user_id, period=period, period_start=start, created_at=now)
    db.session.add(run)
    db.session.flush()  # the claim: a concurrent run's insert of the same key fails (or waits, then fails)
    rows = db.session.execute(
        select(Notification.id, Notification.kind)
        .where(
            Notification.user_id == user_id, Notification.email_mode == period, Notification.emailed_at.is_(None),
            Notification.created_at <= now,
        )
        .order_by(Notification.id)
        .limit(DIGEST_ITEMS_MAX)
    ).all()  # fmt: skip
    ids = [row.id for row in rows]
    if ids:
        db.session.execute(
            update(Notification)
            .where(Notification.id.in_(ids), Notification.emailed_at.is_(None))
            .values(emailed_at=now)
            .execution_options(synchronize_session=False)
        )
    run.item_count = len(ids)
    user = db.session.get(User, user_id)
    if not ids or not _mailable(user):
        return True
    counts: dict[str, int] = {}
    for row in rows:
        counts[row.kind] = counts.get(row.kind, 0) + 1
    with force_locale(user.language or "en"):
        lines = [email_line(kind, count) for kind, count in sorted(counts.items())]
        subject = _("Your daily summary from Kring") if period == "daily" else _("Your weekly summary from Kring")
        db.session.add(
            EmailOutbox(user_id=user_id, kind="digest", subject=subject, body=_body(lines), item_count=len(ids),
                        created_at=now, next_attempt_at=now)
        )  # fmt: skip
    return True


def outbox_counts() -> dict[str, int]:
    rows = db.session.execute(select(EmailOutbox.status, func.count()).group_by(EmailOutbox.status)).all()
    return {status: int(count) for status, count in rows}
