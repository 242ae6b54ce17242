"""Moderation's part of a member's export and erasure.

Export (explained to members in docs/privacy.md, "Download everything"): the reports they made, the decisions
about them (as they are told; not who decided), their appeals, moderators' notes ABOUT them (their text, group
and date; not who wrote them: a note about a person is that person's data, GDPR art. 15), their mutes and
blocks (the other person by id only), and moderators' pre-moderation choices about them (kept or released, per
group, with the date; not who chose).

Erasure: the free text of reports and appeals they wrote is emptied (the rows stay, pointing at the tombstone,
so counts and decisions still add up); moderators' notes and pre-moderation choices about them are deleted;
their mutes and blocks, and other people's of them, are deleted. Decisions about them stay (accountability);
notes they wrote as a moderator about others stay. The report notes and moderators' notes an open report or case
still needs (``keep``) stay until it closes (``member_evidence_released``; docs/privacy.md, "Evidence hold").
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, or_, select, update

from community.auth.member_data import LIMIT, when
from community.auth.models import User
from community.auth.signals import (
    Evidence,
    contribute_member_data,
)
from community.extensions import db
from community.groups.member_data import GroupNames
from community.groups.models import Membership
from community.moderation.models import (
    Appeal,
    MemberPremoderation,
    MemberRelation,
    ModerationAction,
    ModeratorNote,
    Report,
)


def export_part(user: User) -> dict[str, Any]:
    uid, groups = user.id, GroupNames()
    reports = [
        {"group": groups.get(r.group_id), "target_type": r.target_type, "target_id": r.target_id,
         "reason": r.reason, "note": r.note, "created_at": when(r.created_at)}
        for r in db.session.scalars(select(Report).where(Report.reporter_id == uid).order_by(Report.id).limit(LIMIT))
    ]  # fmt: skip
    actions = [
        # What a moderator did about the member's content or membership, as the member is told; not who did it.
        {"id": a.id, "group": groups.get(a.group_id), "action": a.action, "target_type": a.target_type,
         "target_id": a.target_id, "reason": a.reason, "until": when(a.until), "created_at": when(a.created_at)}
        for a in db.session.scalars(
            select(ModerationAction).where(ModerationAction.subject_id == uid)
            .order_by(ModerationAction.id).limit(LIMIT)
        )
    ]  # fmt: skip
    appeals = [
        {"action_id": a.action_id, "note": a.note, "outcome": a.outcome, "created_at": when(a.created_at),
         "decided_at": when(a.decided_at)}
        for a in db.session.scalars(select(Appeal).where(Appeal.user_id == uid).order_by(Appeal.id).limit(LIMIT))
    ]  # fmt: skip
    notes = [
        {"group": groups.get(n.group_id), "text": n.body, "created_at": when(n.created_at)}
        for n in db.session.scalars(
            select(ModeratorNote).where(ModeratorNote.subject_id == uid).order_by(ModeratorNote.id).limit(LIMIT)
        )
    ]
    relations = [
        {"kind": r.kind, "other_member_id": r.other_id, "created_at": when(r.created_at)}
        for r in db.session.scalars(
            select(MemberRelation).where(MemberRelation.user_id == uid).order_by(MemberRelation.id).limit(LIMIT)
        )
    ]
    premoderation = [  # a moderator's choice about the member is their data too (not who made it)
        {"group": groups.get(group_id), "choice": row.mode, "decided_at": when(row.decided_at)}
        for row, group_id in db.session.execute(
            select(MemberPremoderation, Membership.group_id)
            .join(Membership, Membership.id == MemberPremoderation.membership_id)
            .where(Membership.user_id == uid).order_by(Membership.group_id).limit(LIMIT)
        )
    ]  # fmt: skip
    return {"moderation.json": {
        "reports_you_made": reports, "moderation_decisions_about_you": actions, "your_appeals": appeals,
        "moderator_notes_about_you": notes, "your_mutes_and_blocks": relations,
        "premoderation_choices_about_you": premoderation,
    }}  # fmt: skip


def _erase_notes(uid: int, keep: Evidence) -> dict[str, int]:
    """Report notes and moderators' notes, except what ``keep`` still needs. Runs at the erasure and again when
    the hold is released: a second run only reaches what the first one kept."""
    reports = db.session.execute(
        update(Report).where(Report.reporter_id == uid, Report.id.not_in(keep.report_ids)).values(note="")
    ).rowcount
    notes = db.session.execute(
        delete(ModeratorNote).where(ModeratorNote.subject_id == uid, ModeratorNote.group_id.not_in(keep.group_ids))
    ).rowcount
    return {"reports": reports, "moderator_notes": notes}


def erase(user: User, *, keep: Evidence, **_details: Any) -> dict[str, int]:
    uid = user.id
    db.session.execute(update(Appeal).where(Appeal.user_id == uid).values(note=""))
    db.session.execute(delete(MemberRelation).where(or_(MemberRelation.user_id == uid, MemberRelation.other_id == uid)))
    mine = select(Membership.id).where(Membership.user_id == uid)
    db.session.execute(delete(MemberPremoderation).where(MemberPremoderation.membership_id.in_(mine)))
    return _erase_notes(uid, keep)


def erase_released(user: User, *, keep: Evidence, **_details: Any) -> dict[str, int]:
    return _erase_notes(user.id, keep)


def connect() -> None:
    """From ``moderation.wiring.init_app``; connecting again is a no-op (blinker keys receivers by identity)."""
    contribute_member_data(export=export_part, erase=erase, released=erase_released)
