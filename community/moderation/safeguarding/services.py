"""Safeguarding cases: opening (detected crisis language, or a person's worry), taking, hand-over notes,
closing with an outcome, and the response clock (the email escalation is ``escalation``).

Reading the post or message a worry is about is not done here: the feature that owns it applies its own read
rules and passes a :class:`ConcernTarget` (``forum.services.concern_about_post``,
``chat.services.concern_about_message``).

Services take the actor and plain values, check the rules through ``policy``, write an audit row for every
change in the same transaction, and queue the live alert; the adapter commits once. Audit rows carry ids,
severity, category and phrase ids, never member text.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from community.auth.models import User
from community.core import audit
from community.core.errors import DomainError, NotFound
from community.core.time import utcnow
from community.extensions import db
from community.groups.access_log import record_access, role_in_group
from community.groups.models import Group, Membership
from community.moderation import signals
from community.moderation.models import PRIORITY_URGENT, QueueItem
from community.moderation.safeguarding import alerts, leads, policy
from community.moderation.safeguarding.detection import SafeguardingSignal
from community.moderation.safeguarding.models import OUTCOMES, SafeguardingCase, SafeguardingNote
from community.moderation.safeguarding.queries import open_case_about

NOTE_MAX = 4000
RAISE_LIMIT_SCOPE = "safeguarding-raise"  # one rate-limit allowance (SAFEGUARDING_RAISE_RATE) for pages and sockets
OUTCOMES_NEEDING_NOTE = ("referred", "reported_veilig_thuis", "emergency_services")
CASE_NOT_FOUND = _l("We could not find that case. It may belong to a group you do not moderate.")
TARGET_NOT_FOUND = _l("We could not find that post or message. It may have been removed.")


# --- the clock -------------------------------------------------------------------------------------------------


def response_minutes(severity: str, group_id: int | None = None) -> int:
    """The group's own response time (``leads``), else SAFEGUARDING_ACUTE/CONCERN_RESPONSE_MINUTES."""
    return leads.response_minutes(severity, group_id)


@dataclass(frozen=True)
class Clock:
    """Where a case stands against its response time, in words that do not rely on colour."""

    due_at: datetime
    overdue: bool
    minutes: int  # minutes left (>= 0) or minutes overdue


def clock(case: SafeguardingCase, now: datetime | None = None) -> Clock:
    now = now or utcnow()
    overdue = case.is_overdue(now)
    delta = (now - case.due_at) if overdue else (case.due_at - now)
    return Clock(case.due_at, overdue, max(0, int(delta.total_seconds() // 60)))


# --- opening ---------------------------------------------------------------------------------------------------


def _new_case(
    group: Group,
    *,
    subject: User,
    source: str,
    severity: str,
    category: str = "",
    target_type: str | None = None,
    target_id: int | None = None,
    queue_item: QueueItem | None = None,
    raised_by: User | None = None,
    note: str = "",
    phrase_ids: Sequence[str] = (),
) -> SafeguardingCase:
    now = utcnow()
    case = SafeguardingCase(
        group_id=group.id,
        subject_id=subject.id,
        source=source,
        raised_by_id=raised_by.id if raised_by else None,
        raised_note=note,
        target_type=target_type,
        target_id=target_id,
        queue_item_id=queue_item.id if queue_item else None,
        category=category,
        severity=severity,
        phrase_ids=list(phrase_ids),
        status="open",
        opened_at=now,
        due_at=now + timedelta(minutes=response_minutes(severity, group.id)),
    )
    db.session.add(case)
    db.session.flush()
    audit.record(
        "safeguarding.case_opened",
        actor_id=raised_by.id if raised_by else None,
        target_type="safeguarding_case",
        target_id=case.id,
        group_id=group.id,
        details={
            "source": source,
            "severity": severity,
            "category": category,
            "phrase_ids": list(phrase_ids),
            "subject_id": subject.id,
            "target_type": target_type,
            "target_id": target_id,
            "queue_item_id": case.queue_item_id,
        },
    )
    alerts.alert_moderators(case, group)
    alerts.notify_new_case(case, group)
    return case


def _raise_severity(case: SafeguardingCase, severity: str) -> None:
    """An acute signal on a case that was a concern shortens its clock (never lengthens it)."""
    if severity == "acute" and case.severity != "acute":
        case.severity = "acute"
        case.due_at = min(case.due_at, utcnow() + timedelta(minutes=response_minutes("acute", case.group_id)))


def open_case_for_held(item: QueueItem, signal: SafeguardingSignal, writer: User) -> SafeguardingCase:
    """Crisis language was held: make the queue item urgent, open a case (or join the open one about the same
    post or message, e.g. after an edit) and alert the group's moderators. Called by ``enqueue_held``."""
    item.priority = PRIORITY_URGENT
    group = db.session.get(Group, item.group_id)
    existing = open_case_about(item.target_type, item.target_id)
    if existing is not None:
        _raise_severity(existing, signal.severity)
        existing.queue_item_id = item.id
        audit.record(
            "safeguarding.case_signal_again",
            actor_id=None,
            target_type="safeguarding_case",
            target_id=existing.id,
            group_id=existing.group_id,
            details={"severity": signal.severity, "phrase_ids": list(signal.phrase_ids), "queue_item_id": item.id},
        )
        alerts.alert_moderators(existing, group)
        return existing
    return _new_case(
        group,
        subject=writer,
        source="detected",
        severity=signal.severity,
        category=signal.category,
        target_type=item.target_type,
        target_id=item.target_id,
        queue_item=item,
        phrase_ids=signal.phrase_ids,
    )


@dataclass(frozen=True)
class Raised:
    case: SafeguardingCase
    joined_existing: bool


def raise_case_not_found() -> None:
    raise NotFound(CASE_NOT_FOUND)


def raise_not_found() -> None:
    raise NotFound(TARGET_NOT_FOUND)


@dataclass(frozen=True)
class ConcernTarget:
    """A published post or chat message the actor may read, found by the feature that owns it: what a worry is
    about, in which group, and whose it is."""

    target_type: str  # "post" or "message"
    target_id: int
    group: Group
    subject: User | None  # the writer


def raise_concern(actor: User, about: ConcernTarget, *, note: str = "", danger_now: bool = False) -> Raised:
    """ "I'm worried about this person", on a post or a chat message the actor can read (``about``). Opens a
    case (source "member", or "staff" when a moderator raises it) and alerts the moderators; a second worry about
    the same item joins the open case as a note instead of opening another."""
    group, subject, target_type, target_id = about.group, about.subject, about.target_type, about.target_id
    membership = db.session.scalar(
        select(Membership).where(Membership.group_id == group.id, Membership.user_id == actor.id)
    )
    if not policy.can_raise_concern(actor, group, membership, subject):
        if subject is not None and subject.id == actor.id:
            raise DomainError(
                _l("This is your own post. If you are worried about yourself, the helplines below are there for you.")
            )
        raise NotFound(TARGET_NOT_FOUND)
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise DomainError(_l("Please keep the note under %(max)s characters.", max=NOTE_MAX), field="note")
    severity = "acute" if danger_now else "concern"
    existing = open_case_about(target_type, target_id)
    if existing is not None:
        _raise_severity(existing, severity)
        if note:
            db.session.add(SafeguardingNote(case_id=existing.id, author_id=actor.id, body=note, created_at=utcnow()))
        audit.record(
            "safeguarding.concern_added",
            actor_id=actor.id,
            target_type="safeguarding_case",
            target_id=existing.id,
            group_id=group.id,
            details={"severity": severity, "with_note": bool(note)},
        )
        alerts.alert_moderators(existing, group)
        return Raised(existing, joined_existing=True)
    source = "staff" if policy.is_staff_source(actor, group, membership) else "member"
    case = _new_case(
        group,
        subject=subject,
        source=source,
        severity=severity,
        target_type=target_type,
        target_id=target_id,
        raised_by=actor,
        note=note,
    )
    return Raised(case, joined_existing=False)


# --- working a case ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseAccess:
    case: SafeguardingCase
    group: Group
    membership: Membership | None
    as_lead: bool = False  # reached through the safeguarding leads' escalation, not as the group's staff


def open_case(actor: User, case_id: int) -> CaseAccess:
    """The case, if the actor may work it: the group's moderators and instance admins, and a safeguarding lead
    of the group or the installation once the case was escalated to their tier (``leads``). "Not found" for
    everyone else (members, other groups' moderators and leads)."""
    case = db.session.get(SafeguardingCase, case_id) if 0 < case_id < 2**31 else None
    if case is None:
        raise NotFound(CASE_NOT_FOUND)
    membership = db.session.scalar(
        select(Membership).where(Membership.group_id == case.group_id, Membership.user_id == actor.id)
    )
    if policy.can_work_cases(actor, case.group, membership):
        return CaseAccess(case, case.group, membership)
    if case.escalation_level and policy.lead_may_open(
        actor, leads.lead_tiers_for(actor, case.group), case.escalation_level, case.subject_id
    ):
        return CaseAccess(case, case.group, membership, as_lead=True)
    raise NotFound(CASE_NOT_FOUND)


def record_admin_view(actor: User, access: CaseAccess) -> None:
    """An instance admin who is not the group's moderator, or a safeguarding lead who is not, read a case (and so
    the group's words): audited."""
    if access.as_lead:
        reason = "safeguarding lead"
    elif not policy.is_acting_moderator(actor, access.group, access.membership):
        reason = "instance admin outside the group"
    else:
        return
    audit.record(
        "safeguarding.case_viewed",
        actor_id=actor.id,
        target_type="safeguarding_case",
        target_id=access.case.id,
        group_id=access.group.id,
        reason=reason,
    )


def read_case(actor: User, case_id: int) -> CaseAccess:
    """Open the case page: the case if the actor may work it, the audit row for an instance admin or a lead
    reading in, and the access-log line about its subject (NEN 7513, shown to the member). One call per page."""
    access = open_case(actor, case_id)
    record_admin_view(actor, access)
    if access.case.subject_id:
        role = "lead" if access.as_lead else role_in_group(actor, access.group.id)
        record_access(actor, access.case.subject_id, "safeguarding_case", role, detail=f"case {access.case.id}")
    return access


def take_case(actor: User, case_id: int) -> SafeguardingCase:
    """Take an open case, or take over one a colleague holds (the next shift). The first take answers the clock."""
    access = open_case(actor, case_id)
    case = access.case
    if case.status == "closed":
        raise DomainError(_l("This case is closed."))
    if not policy.can_take(actor, case.status, case.taken_by_id):
        raise DomainError(_l("You have already taken this case."))
    previous = case.taken_by_id
    now = utcnow()
    case.taken_by_id, case.status = actor.id, "in_progress"
    if case.taken_at is None:
        case.taken_at = now
    audit.record(
        "safeguarding.case_taken",
        actor_id=actor.id,
        target_type="safeguarding_case",
        target_id=case.id,
        group_id=case.group_id,
        details={"previous_moderator_id": previous, **({"as_lead": True} if access.as_lead else {})},
    )
    return case


def _clean_note(text: str, *, field: str, required: bool) -> str:
    text = (text or "").replace("\r\n", "\n").strip()
    if required and not text:
        raise DomainError(_l("Write a note first."), field=field)
    if len(text) > NOTE_MAX:
        raise DomainError(_l("Please keep the note under %(max)s characters.", max=NOTE_MAX), field=field)
    return text


def add_note(actor: User, case_id: int, body: str) -> SafeguardingNote:
    access = open_case(actor, case_id)
    text = _clean_note(body, field="body", required=True)
    note = SafeguardingNote(case_id=access.case.id, author_id=actor.id, body=text, created_at=utcnow())
    db.session.add(note)
    db.session.flush()
    audit.record(
        "safeguarding.note_added",
        actor_id=actor.id,
        target_type="safeguarding_case",
        target_id=access.case.id,
        group_id=access.case.group_id,
        details={"note_id": note.id},
    )
    return note


def close_case(actor: User, case_id: int, *, outcome: str, note: str = "") -> SafeguardingCase:
    """Close with a recorded outcome; a case is never closed without one. Reporting to Veilig Thuis, a referral
    or emergency services also need a note saying what was done."""
    access = open_case(actor, case_id)
    case = access.case
    if case.status == "closed":
        raise DomainError(_l("This case is already closed."))
    if outcome not in OUTCOMES:
        raise DomainError(_l("Choose the outcome before you close the case."), field="outcome")
    text = _clean_note(note, field="outcome_note", required=False)
    if outcome in OUTCOMES_NEEDING_NOTE and not text:
        raise DomainError(_l("Say briefly what was done, for the next moderator."), field="outcome_note")
    now = utcnow()
    case.status, case.outcome, case.outcome_note = "closed", outcome, text
    case.closed_by_id, case.closed_at = actor.id, now
    if case.taken_at is None:
        case.taken_by_id, case.taken_at = actor.id, now
    audit.record(
        "safeguarding.case_closed",
        actor_id=actor.id,
        target_type="safeguarding_case",
        target_id=case.id,
        group_id=case.group_id,
        reason=outcome,
        details={"outcome": outcome},
    )
    signals.matter_closed.send("case", case=case)  # an erasure waiting on this case can finish
    return case
