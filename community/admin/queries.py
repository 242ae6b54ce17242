"""Read-only lists for the admin pages. Every list is bounded; none reads group content (posts, messages).

Changes go through the features' services; this module only looks things up. The one thing it writes is the
access-log line when an admin opens an account's personal data (``open_account``), as every read service does.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import format_datetime
from flask_babel import gettext as _
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import aliased

from community.admin import policy
from community.auth.models import User
from community.core.audit import AuditEntry
from community.core.errors import NotFound
from community.core.time import utcnow
from community.extensions import db
from community.groups.access_log import record_access
from community.groups.models import Group, Invitation, Membership
from community.groups.policy import READING_STATES
from community.groups.services import STAFF_FIRST

ACCOUNTS_PER_PAGE = 50
MEMBERS_PER_PAGE = 100
AUDIT_PER_PAGE = 50
GROUPS_LIMIT = 500  # an instance with more groups than this needs a search box, not a longer page


def group_or_404(group_id: int) -> Group:
    group = db.session.get(Group, group_id)
    if group is None:
        raise NotFound(_("We could not find that group."))
    return group


def user_or_404(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None or user.state == "deleted":
        raise NotFound(_("We could not find that account."))
    return user


def open_account(staff: User, user_id: int) -> User:
    """An account's page for staff: "not found" for anyone who may not use the admin area (or a deleted account),
    and a line in the access log (NEN 7513), which the member sees on their privacy page. One call per page shown;
    the adapter commits it."""
    if not policy.can_use_admin_area(staff):
        raise NotFound(_("We could not find that page."))
    person = user_or_404(user_id)
    record_access(staff, person, "profile", "admin")
    return person


def find_username(username: str) -> User | None:
    key = (username or "").strip().casefold()
    return db.session.scalar(select(User).where(User.username_key == key, User.state != "deleted")) if key else None


@dataclass(frozen=True)
class Overview:
    groups: int
    members: int
    open_invitations: int


def overview() -> Overview:
    members = select(func.count()).select_from(User).where(User.state.in_(("active", "paused", "suspended")))
    invitations = (
        select(func.count()).select_from(Invitation).where(Invitation.state == "open", Invitation.expires_at > utcnow())
    )
    return Overview(
        groups=db.session.scalar(select(func.count()).select_from(Group)) or 0,
        members=db.session.scalar(members) or 0,
        open_invitations=db.session.scalar(invitations) or 0,
    )


def groups_with_counts() -> list[tuple[Group, int]]:
    """Every group with its number of people who can read it, in one query (GROUP BY, not one per group)."""
    counted = (
        select(Membership.group_id, func.count(Membership.id).label("members"))
        .where(Membership.state.in_(READING_STATES))
        .group_by(Membership.group_id)
        .subquery()
    )
    rows = db.session.execute(
        select(Group, func.coalesce(counted.c.members, 0))
        .outerjoin(counted, counted.c.group_id == Group.id)
        .order_by(Group.state, Group.name)
        .limit(GROUPS_LIMIT)
    ).all()
    return [(group, count) for group, count in rows]


def group_choices() -> list[tuple[int, str]]:
    return [(gid, name) for gid, name in db.session.execute(select(Group.id, Group.name).order_by(Group.name))]


def group_members(group: Group, page: int = 1) -> tuple[list[tuple[User, Membership]], bool]:
    """Everyone with a membership row in the group, removed people last. Returns (rows, has_more)."""
    page = max(page, 1)
    rows = db.session.execute(
        select(User, Membership)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.group_id == group.id)
        .order_by((Membership.state == "removed"), STAFF_FIRST, User.display_name, User.id)
        .offset((page - 1) * MEMBERS_PER_PAGE)
        .limit(MEMBERS_PER_PAGE + 1)
    ).all()
    return [(u, m) for u, m in rows[:MEMBERS_PER_PAGE]], len(rows) > MEMBERS_PER_PAGE


def _like_pattern(text: str) -> str:
    escaped = text.casefold().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def search_accounts(query: str, page: int = 1) -> tuple[list[User], bool]:
    """Accounts whose username, display name or email contains ``query`` (any case). Returns (rows, has_more)."""
    page = max(page, 1)
    statement = select(User).where(User.state != "deleted")
    query = (query or "").strip()[:100]
    if query:
        pattern = _like_pattern(query)
        statement = statement.where(
            or_(
                func.lower(User.username).like(pattern, escape="\\"),
                func.lower(User.display_name).like(pattern, escape="\\"),
                func.lower(User.email).like(pattern, escape="\\"),
            )
        )
    rows = db.session.scalars(
        statement.order_by(User.username_key).offset((page - 1) * ACCOUNTS_PER_PAGE).limit(ACCOUNTS_PER_PAGE + 1)
    ).all()
    return list(rows[:ACCOUNTS_PER_PAGE]), len(rows) > ACCOUNTS_PER_PAGE


def account_groups(user: User) -> list[tuple[Group, Membership]]:
    rows = db.session.execute(
        select(Group, Membership)
        .join(Membership, Membership.group_id == Group.id)
        .where(Membership.user_id == user.id)
        .order_by(Group.name)
        .limit(GROUPS_LIMIT)
    ).all()
    return [(g, m) for g, m in rows]


@dataclass(frozen=True)
class AuditRow:
    entry: AuditEntry
    actor_name: str | None
    group_name: str | None
    target_name: str | None


def audit_actions() -> list[str]:
    return list(db.session.scalars(select(AuditEntry.action).distinct().order_by(AuditEntry.action)))


def audit_rows(
    *,
    before_id: int | None = None,
    action: str = "",
    group_id: int | None = None,
    limit: int = AUDIT_PER_PAGE,
    actor: str = "",
    target_type: str = "",
    target_id: int | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> tuple[list[AuditRow], int | None]:
    """Newest first, keyset by id. Returns the rows and the id to continue before (None on the last page).

    Filters: ``actor`` is a username; ``since`` and ``until`` bound ``created_at`` (until: exclusive)."""
    actor_user, target = aliased(User), aliased(User)
    statement = (
        select(AuditEntry, actor_user.display_name, Group.name, target.display_name)
        .outerjoin(actor_user, actor_user.id == AuditEntry.actor_id)
        .outerjoin(Group, Group.id == AuditEntry.group_id)
        .outerjoin(target, and_(AuditEntry.target_type == "user", target.id == AuditEntry.target_id))
    )
    if before_id:
        statement = statement.where(AuditEntry.id < before_id)
    if action:
        statement = statement.where(AuditEntry.action == action)
    if group_id:
        statement = statement.where(AuditEntry.group_id == group_id)
    if actor:
        statement = statement.where(func.lower(actor_user.username) == actor.strip().lower())
    if target_type:
        statement = statement.where(AuditEntry.target_type == target_type)
    if target_id:
        statement = statement.where(AuditEntry.target_id == target_id)
    if since:
        statement = statement.where(AuditEntry.created_at >= since)
    if until:
        statement = statement.where(AuditEntry.created_at < until)
    rows = db.session.execute(statement.order_by(AuditEntry.id.desc()).limit(limit + 1)).all()
    page = [AuditRow(*row) for row in rows[:limit]]
    next_before = page[-1].entry.id if len(rows) > limit else None
    return page, next_before


def format_time(moment: datetime | None) -> str:
    """A stored (UTC) moment in the reader's language and the instance's time zone."""
    return format_datetime(moment, "medium") if moment else ""
