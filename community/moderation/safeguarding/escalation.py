"""The email escalation: ``flask safeguarding escalate`` emails the group's moderators about every open case
nobody took within SAFEGUARDING_EMAIL_AFTER_MINUTES, once per case. The mail carries a link, never member text."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select, update

from community.core import audit, jobs
from community.core.mail import mail_connection, send_mail
from community.core.time import utcnow
from community.extensions import db
from community.moderation.safeguarding import alerts
from community.moderation.safeguarding.models import SafeguardingCase

ESCALATE_BATCH = 200


@mail_connection()  # the whole run shares one SMTP connection
@jobs.job("safeguarding.escalate", every=timedelta(minutes=2))
def escalate(now: datetime | None = None) -> int:
    """Email the moderators of every open case nobody took within SAFEGUARDING_EMAIL_AFTER_MINUTES, once per
    case. Idempotent and safe to run from cron: ``escalated_at`` is set by a conditional UPDATE, so two runs at
    once email once. Commits per case (the mail goes out after its row is stored). Returns how many cases."""
    now = now or utcnow()
    cutoff = now - timedelta(minutes=int(current_app.config["SAFEGUARDING_EMAIL_AFTER_MINUTES"]))
    due = list(
        db.session.scalars(
            select(SafeguardingCase.id)
            .where(
                SafeguardingCase.status == "open",
                SafeguardingCase.taken_at.is_(None),
                SafeguardingCase.escalated_at.is_(None),
                SafeguardingCase.opened_at <= cutoff,
            )
            .order_by(SafeguardingCase.id)
            .limit(ESCALATE_BATCH)
        )
    )
    escalated = 0
    for case_id in due:
        claimed = db.session.execute(
            update(SafeguardingCase)
            .where(SafeguardingCase.id == case_id, SafeguardingCase.escalated_at.is_(None))
            .values(escalated_at=now)
        ).rowcount
        if not claimed:
            db.session.rollback()
            continue
        case = db.session.get(SafeguardingCase, case_id)
        moderators = [m for m in alerts.moderators_of(case.group_id) if m.email]
        audit.record(
            "safeguarding.case_escalated",
            actor_id=None,
            target_type="safeguarding_case",
            target_id=case.id,
            group_id=case.group_id,
            details={"emailed": len(moderators)},
        )
        db.session.commit()
        for moderator in moderators:
            send_mail(moderator.email, *escalation_mail(case.id))
        escalated += 1
    return escalated


def escalation_mail(case_id: int) -> tuple[str, str]:
    """Subject and body: a link, no member text, no group name (a mail can be read over a shoulder)."""
    subject = _("An urgent item in Kring needs a moderator")
    body = _(
        "An urgent item in Kring needs a moderator, and nobody has taken it yet.\n\n"
        "Open it here (you will be asked to sign in):\n%(url)s\n\n"
        "You get this mail because you moderate a group in Kring.",
        url=alerts.case_url(case_id),
    )
    return subject, body
