"""The escalation, run by ``flask safeguarding escalate``:

- :func:`escalate` emails the group's moderators about every open case nobody took within
  SAFEGUARDING_EMAIL_AFTER_MINUTES, once per case (``escalated_at``);
- :func:`escalate_to_leads` takes an untaken case up the safeguarding leads' ladder: past its due time (the
  group's response time) to the tier-1 lead on call, one more response period later to tier 2
  (``escalation_level``, ``escalation_level_at``); a tier with nobody to tell passes on to the next at once.

Each step is a conditional UPDATE, so overlapping runs tell nobody twice, and is audited. The mails and the
notifications (kind ``safeguarding_escalation``) carry a link, never member text."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select, update

from community.core import audit, jobs
from community.core.mail import mail_connection, send_mail
from community.core.time import utcnow
from community.extensions import db
from community.moderation.safeguarding import alerts, leads, policy
from community.moderation.safeguarding.models import LEAD_TIERS, SafeguardingCase
from community.notifications import services as notifications

ESCALATE_BATCH = 200
log = logging.getLogger(__name__)


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


@mail_connection()
def escalate_to_leads(now: datetime | None = None) -> int:
    """Take every open case nobody took one step up the leads' ladder when it is due (``policy.next_escalation``):
    tell the leads on call at that tier (``leads.on_call_now``; not the case's subject) in their notifications
    and by mail. Idempotent: the level moves by a conditional UPDATE, so a step is taken, and told, once.
    Commits per case. Returns how many steps were taken."""
    now = now or utcnow()
    waiting = list(
        db.session.scalars(
            select(SafeguardingCase.id)
            .where(
                SafeguardingCase.status == "open",
                SafeguardingCase.taken_at.is_(None),
                SafeguardingCase.escalation_level < max(LEAD_TIERS),
                SafeguardingCase.due_at < now,
            )
            .order_by(SafeguardingCase.escalation_level, SafeguardingCase.due_at, SafeguardingCase.id)  # new first
            .limit(ESCALATE_BATCH)
        )
    )
    steps = 0
    for case_id in waiting:
        case = db.session.get(SafeguardingCase, case_id)
        level = case.escalation_level
        tier = policy.next_escalation(
            level, case.due_at, case.escalation_level_at, leads.lead_after(case.group, case.severity), now
        )
        if tier is None:
            db.session.rollback()
            continue
        told = [user for user in leads.on_call_now(case.group, tier, now) if user.id != case.subject_id]
        while not told and tier < max(LEAD_TIERS):  # nobody at this tier: the next one is told at once
            tier += 1
            told = [user for user in leads.on_call_now(case.group, tier, now) if user.id != case.subject_id]
        moved = db.session.execute(
            update(SafeguardingCase)
            .where(
                SafeguardingCase.id == case_id,
                SafeguardingCase.escalation_level == level,
                SafeguardingCase.taken_at.is_(None),
                SafeguardingCase.status == "open",
            )
            .values(escalation_level=tier, escalation_level_at=now)
        ).rowcount
        if not moved:  # another run took this step, or someone took the case meanwhile
            db.session.rollback()
            continue
        audit.record(
            "safeguarding.case_escalated_to_lead",
            actor_id=None,
            target_type="safeguarding_case",
            target_id=case_id,
            group_id=case.group_id,
            details={"tier": tier, "from_level": level, "told": sorted(user.id for user in told)},
        )
        if not told:
            log.warning("safeguarding case %s reached tier %s with no lead to tell", case_id, tier)
        notifications.notify(
            [user.id for user in told], kind="safeguarding_escalation", actor_id=None, group_id=case.group_id,
            target_type="safeguarding_case", target_id=case_id,
        )  # fmt: skip
        db.session.commit()
        for user in told:
            if user.email:
                send_mail(user.email, *lead_mail(case_id))
        steps += 1
    return steps


def lead_mail(case_id: int) -> tuple[str, str]:
    """The escalation mail for a safeguarding lead: a link, no member text, no group name."""
    subject = _("An urgent item in Kring needs a moderator")
    body = _(
        "An urgent item in Kring needs a moderator, and nobody has taken it in time.\n\n"
        "Open it here (you will be asked to sign in):\n%(url)s\n\n"
        "You get this mail because you are a safeguarding lead in Kring, on call now.",
        url=alerts.case_url(case_id),
    )
    return subject, body
