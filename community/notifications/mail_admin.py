"""For admins: addresses the mail server refused, and how the outbox is doing. Clearing a flag is audited."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from community.auth.models import User
from community.core import audit
from community.core.errors import Forbidden, NotFound
from community.extensions import db
from community.groups.policy import can_manage_groups
from community.notifications import outbox
from community.notifications.models import MailProblem

PROBLEMS_SHOWN = 200


@dataclass(frozen=True)
class ProblemRow:
    user_id: int
    username: str
    display_name: str
    email: str | None
    flagged_at: datetime
    smtp_code: int


def _check_admin(actor: User) -> None:
    if not can_manage_groups(actor):
        raise Forbidden(_l("Only admins can see mail problems."))


def list_problems(actor: User) -> list[ProblemRow]:
    _check_admin(actor)
    rows = db.session.execute(
        select(MailProblem, User)
        .join(User, User.id == MailProblem.user_id)
        .order_by(MailProblem.flagged_at.desc())
        .limit(PROBLEMS_SHOWN)
    ).all()
    return [
        ProblemRow(user.id, user.username, user.display_name, user.email, problem.flagged_at, problem.smtp_code)
        for problem, user in rows
    ]


def clear_problem(actor: User, user_id: int) -> None:
    _check_admin(actor)
    problem = db.session.get(MailProblem, user_id)
    if problem is None:
        raise NotFound(_l("That address is not flagged."))
    db.session.delete(problem)
    audit.record("mail_problem.cleared", actor_id=actor.id, target_type="user", target_id=user_id)


def outbox_summary() -> dict[str, int]:
    return outbox.outbox_counts()
