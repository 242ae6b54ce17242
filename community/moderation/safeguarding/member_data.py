"""Safeguarding's part of a member's export and erasure.

Export: cases about the member as facts (group, when, kind, severity, status, outcome), without their free
text: the note of the member who raised the worry is that member's words, and the hand-over notes may name
other people or hold an assessment whose disclosure could put someone at risk (GDPR art. 15(4), art. 23); the
data-protection officer handles a request for them by hand. A worry the member raised themselves is included
with their own note (not who it was about). Being a safeguarding lead (where, which tier, since when) is
included too.

Erasure: cases about them stay as pseudonymous facts (status, outcome, times: the organisation may have to
account for how a worry was handled), but their free text (the raiser's note, the outcome note and the
hand-over notes, which will name the person) is replaced by a marker. The note of a worry they raised about
someone else (on the case, or as a note added to an open case) is removed; hand-over notes they wrote as a
moderator of the group stay, under the tombstone. The texts of a case still open (``keep``) stay until it
closes (``member_evidence_released``). An erased member stops being a safeguarding lead (their rota periods go
with it).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select, update

from community.auth.member_data import LIMIT, when
from community.auth.models import User
from community.auth.signals import (
    Evidence,
    contribute_member_data,
)
from community.extensions import db
from community.groups.member_data import GroupNames
from community.groups.models import Membership
from community.groups.policy import MODERATING_ROLES
from community.moderation.safeguarding.models import (
    SafeguardingCase,
    SafeguardingLead,
    SafeguardingNote,
    SafeguardingRotaEntry,
)

REMOVED_TEXT = "(removed when the member's account was erased)"


def export_part(user: User) -> dict[str, Any]:
    groups = GroupNames()
    about = [
        {"id": c.id, "group": groups.get(c.group_id), "opened_at": when(c.opened_at), "category": c.category,
         "severity": c.severity, "status": c.status, "closed_at": when(c.closed_at), "outcome": c.outcome}
        for c in db.session.scalars(
            select(SafeguardingCase).where(SafeguardingCase.subject_id == user.id)
            .order_by(SafeguardingCase.id).limit(LIMIT)
        )
    ]  # fmt: skip
    raised = [
        {"group": groups.get(c.group_id), "your_note": c.raised_note, "opened_at": when(c.opened_at)}
        for c in db.session.scalars(
            select(SafeguardingCase)
            .where(SafeguardingCase.raised_by_id == user.id, SafeguardingCase.source == "member")
            .order_by(SafeguardingCase.id).limit(LIMIT)
        )
    ]  # fmt: skip
    # A worry added to a case that was already open is stored as a note by the member (not by a moderator).
    moderated = select(Membership.group_id).where(Membership.user_id == user.id, Membership.role.in_(MODERATING_ROLES))
    added = [
        {"group": groups.get(case.group_id), "your_note": note.body, "created_at": when(note.created_at)}
        for note, case in db.session.execute(
            select(SafeguardingNote, SafeguardingCase)
            .join(SafeguardingCase, SafeguardingCase.id == SafeguardingNote.case_id)
            .where(SafeguardingNote.author_id == user.id, SafeguardingCase.group_id.not_in(moderated))
            .order_by(SafeguardingNote.id).limit(LIMIT)
        ).all()
    ]  # fmt: skip
    lead = [
        {"group": groups.get(row.group_id) if row.group_id else "the whole installation", "tier": row.tier,
         "since": when(row.added_at)}
        for row in db.session.scalars(
            select(SafeguardingLead).where(SafeguardingLead.user_id == user.id)
            .order_by(SafeguardingLead.id).limit(LIMIT)
        )
    ]  # fmt: skip
    return {
        "safeguarding.json": {
            "cases_about_you": about,
            "worries_you_raised": raised + added,
            "you_are_a_safeguarding_lead": lead,
        }
    }


def erase(user: User, *, keep: Evidence, moderated_group_ids: list[int], **_details: Any) -> dict[str, int]:
    """The case texts, except what ``keep`` still needs. Runs at the erasure and again when the hold is
    released: a second run only reaches what the first one kept. ``moderated_group_ids``: the groups they
    moderated when erased."""
    uid = user.id
    done = SafeguardingCase.id.not_in(keep.case_ids)
    cases = select(SafeguardingCase.id).where(SafeguardingCase.subject_id == uid, done)
    count = db.session.execute(
        update(SafeguardingCase).where(SafeguardingCase.subject_id == uid, done)
        .values(raised_note="", outcome_note="", phrase_ids=[])
    ).rowcount  # fmt: skip
    db.session.execute(update(SafeguardingNote).where(SafeguardingNote.case_id.in_(cases)).values(body=REMOVED_TEXT))
    raised = update(SafeguardingCase).where(SafeguardingCase.raised_by_id == uid, done)
    db.session.execute(raised.values(raised_note=""))
    # A worry they added to someone else's case is a note by them: their words go. Hand-over notes they wrote
    # as a moderator of that group stay (the staff record of how a case was handled), under the tombstone.
    member_cases = select(SafeguardingCase.id).where(SafeguardingCase.group_id.not_in(moderated_group_ids), done)
    db.session.execute(
        update(SafeguardingNote)
        .where(SafeguardingNote.author_id == uid, SafeguardingNote.case_id.in_(member_cases))
        .values(body=REMOVED_TEXT)
    )
    leads = select(SafeguardingLead.id).where(SafeguardingLead.user_id == uid)
    db.session.execute(delete(SafeguardingRotaEntry).where(SafeguardingRotaEntry.lead_id.in_(leads)))
    db.session.execute(delete(SafeguardingLead).where(SafeguardingLead.user_id == uid))
    return {"safeguarding_cases": count}


def connect() -> None:
    """From ``moderation.safeguarding.wiring.init_app``; connecting again is a no-op (blinker keys receivers by
    identity)."""
    contribute_member_data(export=export_part, erase=erase, released=erase)
