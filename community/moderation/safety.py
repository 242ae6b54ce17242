"""A member's own safety tools: mute someone (what they write collapses, for me only) and block someone (no
private messages or mentions from them, and they cannot open my profile). Nobody is told. Leaving a private
conversation is chat's (``chat.leaving``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, String, cast, delete, exists, func, or_, select
from sqlalchemy.orm import aliased

from community.auth.models import User
from community.core import page_preloads
from community.core.errors import DomainError, NotFound
from community.core.time import utcnow
from community.extensions import db
from community.groups.models import Membership
from community.groups.policy import READING_STATES
from community.moderation import signals
from community.moderation.models import RELATION_KINDS, MemberRelation

LIST_MAX = 500


def muted_author_ids(viewer: User) -> set[int]:
    """The people whose posts and messages collapse for ``viewer`` (muted or blocked by them): read with the
    session lookup on a page (``core.page_preloads``), one query otherwise."""
    if viewer is None or not getattr(viewer, "id", None):
        return set()
    preloaded = page_preloads.get(viewer, MUTED_PRELOAD)
    if preloaded is not page_preloads.MISSING:
        return set(preloaded)
    return set(
        db.session.scalars(select(MemberRelation.other_id).where(MemberRelation.user_id == viewer.id).limit(LIST_MAX))
    )


def _muted_ids_subquery(user_id: ColumnElement[int]) -> ColumnElement[str | None]:
    """ "3,17,42": whom the member muted or blocked. Not limited here: ``set_relation`` keeps it to LIST_MAX."""
    return (
        select(func.aggregate_strings(cast(MemberRelation.other_id, String), ","))
        .where(MemberRelation.user_id == user_id)
        .scalar_subquery()
    )


MUTED_PRELOAD = "muted_author_ids"
page_preloads.register(MUTED_PRELOAD, _muted_ids_subquery, parse=page_preloads.id_set)


def blocked_ids(user_id: int) -> set[int]:
    """Whom this member has blocked."""
    return set(
        db.session.scalars(
            select(MemberRelation.other_id)
            .where(MemberRelation.user_id == user_id, MemberRelation.kind == "block")
            .limit(LIST_MAX)
        )
    )


def has_blocked(user_id: int, other_id: int) -> bool:
    """Has ``user_id`` blocked ``other_id``?"""
    return (
        db.session.scalar(
            select(MemberRelation.id).where(
                MemberRelation.user_id == user_id, MemberRelation.other_id == other_id, MemberRelation.kind == "block"
            )
        )
        is not None
    )


def blocked_between(first_id: int, second_id: int) -> bool:
    """Either has blocked the other (a private conversation between them is then closed)."""
    return (
        db.session.scalar(
            select(MemberRelation.id)
            .where(
                MemberRelation.kind == "block",
                or_(
                    (MemberRelation.user_id == first_id) & (MemberRelation.other_id == second_id),
                    (MemberRelation.user_id == second_id) & (MemberRelation.other_id == first_id),
                ),
            )
            .limit(1)
        )
        is not None
    )


def who_muted(author_id: int, user_ids: list[int]) -> set[int]:
    """Which of ``user_ids`` muted or blocked ``author_id``: they hear of nothing the author does (registered as a
    recipient filter of ``notifications.notify`` by moderation's wiring). One query."""
    if not user_ids:
        return set()
    return set(
        db.session.scalars(
            select(MemberRelation.user_id).where(
                MemberRelation.other_id == author_id, MemberRelation.user_id.in_(user_ids)
            )
        )
    )


def who_blocked(author_id: int, user_ids: list[int]) -> set[int]:
    """Which of ``user_ids`` have blocked ``author_id`` (a mention by the author tells none of them)."""
    if not user_ids:
        return set()
    return set(
        db.session.scalars(
            select(MemberRelation.user_id).where(
                MemberRelation.other_id == author_id,
                MemberRelation.kind == "block",
                MemberRelation.user_id.in_(user_ids),
            )
        )
    )


def shares_place_with(actor_id: int, other: ColumnElement[int]) -> ColumnElement[bool]:
    """SQL: the person ``other`` is someone the actor meets on Kring: both read a group, or (chat's answer to
    ``signals.shares_place``) the actor reads a private conversation of a group they are in with them (the other
    may have left it, or the group).

    Only such people can be muted or blocked, or named in the actor's list: an account id proves nothing else
    (a member muted ids 1..30 and read the names of admins and of minors in other groups)."""
    mine, theirs = aliased(Membership), aliased(Membership)
    in_group = exists().where(
        mine.user_id == actor_id,
        mine.state.in_(READING_STATES),
        theirs.group_id == mine.group_id,
        theirs.user_id == other,
        theirs.state.in_(READING_STATES),
    )
    elsewhere = [condition for _receiver, condition in signals.shares_place.send(actor_id=actor_id, other=other)]
    return or_(in_group, *elsewhere)


def _may_name(actor: User, other_id: int) -> bool:
    return (
        db.session.scalar(
            select(User.id).where(User.id == other_id, User.state != "deleted", shares_place_with(actor.id, User.id))
        )
        is not None
    )


def set_relation(actor: User, other_id: int, kind: str, *, on: bool) -> bool:
    """Mute or block (``on``), or undo it. Twice changes nothing; returns whether something changed.

    Only someone the actor shares a group or conversation with (``shares_place_with``); anyone else, and an
    id nobody has, is "not found" alike. Undoing works for everyone on the actor's own list, also after they
    stopped sharing a group."""
    if kind not in RELATION_KINDS:
        raise DomainError(_l("Choose mute or block."))
    if other_id == actor.id:
        raise DomainError(_l("You cannot mute or block yourself."))
    existing = (
        db.session.scalar(
            select(MemberRelation).where(
                MemberRelation.user_id == actor.id, MemberRelation.other_id == other_id, MemberRelation.kind == kind
            )
        )
        if 0 < other_id < 2**31
        else None
    )
    if existing is None and not (0 < other_id < 2**31 and _may_name(actor, other_id)):
        raise NotFound(_l("We could not find that person."))
    if on and existing is None:
        if len(muted_author_ids(actor)) >= LIST_MAX:
            raise DomainError(_l("You have muted or blocked as many people as you can. Undo one first."))
        db.session.add(MemberRelation(user_id=actor.id, other_id=other_id, kind=kind, created_at=utcnow()))
        db.session.flush()
        page_preloads.forget(actor, MUTED_PRELOAD)
        return True
    if not on and existing is not None:
        db.session.execute(delete(MemberRelation).where(MemberRelation.id == existing.id))
        page_preloads.forget(actor, MUTED_PRELOAD)
        return True
    return False


@dataclass(frozen=True)
class Relation:
    """One line of the actor's list. ``name`` is None for someone they no longer share a group or
    conversation with: the list then says only that, and still offers to undo it."""

    other_id: int
    kind: str
    name: str | None


def relations_of(actor: User) -> list[Relation]:
    """The actor's mutes and blocks (bounded): people they still meet by name, then the others unnamed."""
    rows = db.session.execute(
        select(
            MemberRelation.other_id,
            MemberRelation.kind,
            User.display_name,
            (User.state != "deleted") & shares_place_with(actor.id, MemberRelation.other_id),
        )
        .join(User, User.id == MemberRelation.other_id)
        .where(MemberRelation.user_id == actor.id)
        .order_by(MemberRelation.id)
        .limit(LIST_MAX)
    ).all()
    named = sorted(
        (Relation(other_id, kind, name) for other_id, kind, name, known in rows if known),
        key=lambda relation: ((relation.name or "").casefold(), relation.kind),
    )
    return named + [Relation(other_id, kind, None) for other_id, kind, _name, known in rows if not known]


def relation_kinds(actor: User, other_id: int) -> set[str]:
    return set(
        db.session.scalars(
            select(MemberRelation.kind).where(MemberRelation.user_id == actor.id, MemberRelation.other_id == other_id)
        )
    )


def safety_controls(viewer: User, person: User) -> dict[str, Any]:
    """For ``moderation/safety_controls.html`` (a profile's section, the report's thank-you page): whether the
    viewer mutes or blocks the person. One query; none on one's own profile, where the buttons are not shown."""
    if person.id == viewer.id:
        return {"kinds": set()}
    return {"kinds": relation_kinds(viewer, person.id)}
