"""Read-only safeguarding lists and context for the pages: bounded, indexed queries."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import select

from community.auth.models import User
from community.extensions import db
from community.groups.models import Membership
from community.groups.policy import MODERATING_ROLES
from community.moderation import signals
from community.moderation.safeguarding.models import SafeguardingCase, SafeguardingNote

LIST_MAX = 100
CONTEXT_POSTS = 5


def open_case_about(target_type: str | None, target_id: int | None) -> SafeguardingCase | None:
    """The case still open about a post or message, if there is one (a new signal or worry joins it)."""
    if target_type is None or target_id is None:
        return None
    return db.session.scalar(
        select(SafeguardingCase)
        .where(
            SafeguardingCase.target_type == target_type,
            SafeguardingCase.target_id == target_id,
            SafeguardingCase.status != "closed",
        )
        .order_by(SafeguardingCase.id)
        .limit(1)
    )


def workable_group_ids(actor: User) -> list[int] | None:
    """The groups whose cases the actor works; None means every group (an instance admin)."""
    if actor.is_admin and actor.state == "active":
        return None
    return list(
        db.session.scalars(
            select(Membership.group_id).where(
                Membership.user_id == actor.id,
                Membership.role.in_(MODERATING_ROLES),
                Membership.state == "active",
            )
        )
    )


def case_list(actor: User, *, closed: bool = False, limit: int = LIST_MAX) -> list[SafeguardingCase]:
    """Open cases (acute first, then the earliest due), or the most recently closed ones; bounded."""
    group_ids = workable_group_ids(actor)
    query = select(SafeguardingCase)
    if group_ids is not None:
        if not group_ids:
            return []
        query = query.where(SafeguardingCase.group_id.in_(group_ids))
    if closed:
        query = query.where(SafeguardingCase.status == "closed").order_by(SafeguardingCase.closed_at.desc())
    else:
        query = query.where(SafeguardingCase.status != "closed").order_by(
            (SafeguardingCase.severity != "acute"), SafeguardingCase.due_at, SafeguardingCase.id
        )
    return list(db.session.scalars(query.limit(limit)))


def notes_of(case: SafeguardingCase) -> list[SafeguardingNote]:
    return list(
        db.session.scalars(
            select(SafeguardingNote).where(SafeguardingNote.case_id == case.id).order_by(SafeguardingNote.id).limit(200)
        )
    )


def subject_recent_posts(case: SafeguardingCase, limit: int = CONTEXT_POSTS) -> list[Any]:
    """The subject's latest posts in the case's group (published or held), for context: the forum answers
    ``signals.recent_posts``."""
    if case.subject_id is None:
        return []
    answers = signals.recent_posts.send(group_id=case.group_id, user_id=case.subject_id, limit=limit)
    return [post for _receiver, posts in answers for post in posts][:limit]


def held_case_for_author(viewer: User, post_id: int) -> SafeguardingCase | None:
    """The open detected case about the viewer's own held post (the post shows the helplines); the caller
    knows the post is held and the viewer's."""
    case = open_case_about("post", post_id)
    return case if case is not None and case.subject_id == viewer.id else None


def held_cases_for_author(viewer: User, post_ids: Iterable[int]) -> dict[int, SafeguardingCase]:
    """For the topic page: the open detected cases about the viewer's own held posts on it, by post id (a post
    with one shows the helplines). One query per post; a reader has one held post on a page, rarely more."""
    found = {}
    for post_id in post_ids:
        case = held_case_for_author(viewer, post_id)
        if case is not None:
            found[post_id] = case
    return found
