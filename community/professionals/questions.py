"""Asking a professional: a member asks a question privately to a group's professionals as a team. The first
professional to pick it up answers it; the others see it is taken. Picking up is one conditional UPDATE
("... WHERE claimed_by_id IS NULL"), so under concurrent pick-up exactly one professional wins."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from community.auth.models import User
from community.core import database, sanitize
from community.core.errors import DomainError, NotFound
from community.core.time import utcnow
from community.extensions import db
from community.groups.models import Group, Membership
from community.groups.policy import CARE_ROLES
from community.groups.services import GroupAccess
from community.moderation import services as moderation
from community.notifications.services import notify
from community.professionals import policy
from community.professionals.group_reach import care_group_ids, reading_group_ids, writable_group_ids
from community.professionals.mailing import mail_after_commit
from community.professionals.models import ProfessionalQuestion

LIST_PAGE = 50
QUESTION_MAX = 4000
ANSWER_MAX = 8000
TARGET = "professional_question"  # notifications
QUEUE_TARGET = "pro_question"  # the moderation queue (its target_type holds at most 16 characters)


@dataclass(frozen=True)
class Asked:
    question: ProfessionalQuestion
    notices: tuple[str, ...] = ()  # what the writer must see at once (helplines when the screening held it)


@dataclass(frozen=True)
class WaitingQuestion:
    question: ProfessionalQuestion
    group: Group
    waiting_since: datetime


def team_ids(group_id: int) -> list[int]:
    """The group's professionals: its active care staff (professionals, moderators, managers) with active
    accounts (bounded)."""
    return list(
        db.session.scalars(
            select(Membership.user_id)
            .join(User, User.id == Membership.user_id)
            .where(
                Membership.group_id == group_id,
                Membership.role.in_(CARE_ROLES),
                Membership.state == "active",
                User.state == "active",
            )
            .limit(200)
        )
    )


def can_ask(actor: User, access: GroupAccess) -> bool:
    return policy.can_ask_team(actor, writable_group_ids(actor), access.group.id, len(team_ids(access.group.id)))


def ask(actor: User, access: GroupAccess, *, body: str, email_me: bool, client_token: str) -> Asked:
    """Store the question and tell the team. A form submitted twice (same ``client_token``) stores one. A
    question the screening holds (crisis language, a word filter) still reaches the team, and is also queued
    for the group's moderators (a safeguarding case opens where the screening says so)."""
    team = team_ids(access.group.id)
    if not policy.can_ask_team(actor, writable_group_ids(actor), access.group.id, len(team)):
        if not team:
            raise DomainError(_("This group has no professionals to ask at the moment."))
        raise DomainError(_("You cannot write in this group at the moment."))
    text = (body or "").strip()
    if not text:
        raise DomainError(_("Write your question."), field="body")
    if len(text) > QUESTION_MAX:
        raise DomainError(
            _("The question can be at most %(max)d characters (now %(n)d).", max=QUESTION_MAX, n=len(text)),
            field="body",
        )
    token = (client_token or "").strip()
    if not 8 <= len(token) <= 40:
        raise DomainError(_("Please reload the page and send the question again."), field="body")
    existing = db.session.scalar(
        select(ProfessionalQuestion).where(
            ProfessionalQuestion.member_id == actor.id, ProfessionalQuestion.client_token == token
        )
    )
    if existing is not None:
        return Asked(existing)
    screening = moderation.screen(actor, access.group, access.membership, text, kind="message")
    if screening.verdict == moderation.REFUSE:
        raise DomainError(screening.reason or _("This question cannot be sent."), field="body")
    question = ProfessionalQuestion(
        group_id=access.group.id, member_id=actor.id, client_token=token, body_source=text,
        body_html=sanitize.render_markdown(text), state=screening.state, status="waiting",
        email_me=bool(email_me), created_at=utcnow(),
    )  # fmt: skip
    try:
        with database.savepoint():
            db.session.add(question)
            db.session.flush()
    except IntegrityError:  # the same form sent twice at the same moment: the first one is kept
        raise DomainError(_("Your question has already been sent.")) from None
    if screening.verdict == moderation.HOLD:
        # The team (the group's moderators) still sees it; the queue item keeps the screening's reason.
        moderation.enqueue_held(
            access.group, target_type=QUEUE_TARGET, target_id=question.id, screening=screening, writer=actor
        )
    notify(team, kind="question_waiting", actor_id=actor.id, group_id=access.group.id,
           target_type=TARGET, target_id=question.id)  # fmt: skip
    return Asked(question, tuple(screening.notices))


def open_question(actor: User, access: GroupAccess, question_id: int) -> ProfessionalQuestion:
    question = db.session.get(ProfessionalQuestion, question_id) if 0 < question_id < 2**31 else None
    if question is None or question.group_id != access.group.id:
        raise NotFound(_("We could not find that question."))
    if not policy.can_see_question(actor, question, care_group_ids(actor), reading_group_ids(actor)):
        raise NotFound(_("We could not find that question."))
    return question


def _team_question(actor: User, access: GroupAccess, question_id: int) -> ProfessionalQuestion:
    """A question of a group the actor works in; for anyone else (the member who asked included) NotFound."""
    question = open_question(actor, access, question_id)
    if question.group_id not in care_group_ids(actor):
        raise NotFound(_("We could not find that question."))
    return question


def claim(actor: User, access: GroupAccess, question_id: int) -> ProfessionalQuestion:
    """Pick the question up. One conditional UPDATE decides: whoever's UPDATE changes the row has it; anyone
    else is told it has been taken (by whom)."""
    question = _team_question(actor, access, question_id)
    if not policy.can_claim_question(actor, question, care_group_ids(actor)):
        raise _taken(question)
    result = db.session.execute(
        update(ProfessionalQuestion)
        .where(
            ProfessionalQuestion.id == question.id,
            ProfessionalQuestion.claimed_by_id.is_(None),
            ProfessionalQuestion.status == "waiting",
        )
        .values(claimed_by_id=actor.id, claimed_at=utcnow(), status="taken")
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(question)
    if result.rowcount != 1:
        raise _taken(question)
    return question


def _taken(question: ProfessionalQuestion) -> DomainError:
    if question.status == "answered":
        return DomainError(_("This question has already been answered."))
    name = question.claimed_by.display_name if question.claimed_by is not None else _("a colleague")
    return DomainError(_("%(name)s has already picked up this question.", name=name))


def answer(actor: User, access: GroupAccess, question_id: int, *, body: str) -> ProfessionalQuestion:
    question = _team_question(actor, access, question_id)
    if not policy.can_answer_question(actor, question, care_group_ids(actor)):
        if question.status == "waiting":
            raise DomainError(_("Pick the question up first, so colleagues know you are answering it."))
        raise _taken(question)
    text = (body or "").strip()
    if not text:
        raise DomainError(_("Write your answer."), field="body")
    if len(text) > ANSWER_MAX:
        raise DomainError(
            _("The answer can be at most %(max)d characters (now %(n)d).", max=ANSWER_MAX, n=len(text)),
            field="body",
        )
    screening = moderation.screen(actor, access.group, access.membership, text, kind="message")
    if screening.verdict == moderation.REFUSE:
        raise DomainError(screening.reason or _("This answer cannot be sent."), field="body")
    question.answer_source, question.answer_html = text, sanitize.render_markdown(text)
    question.status, question.answered_at = "answered", utcnow()
    db.session.flush()
    notify([question.member_id], kind="professional_answer", actor_id=actor.id, group_id=question.group_id,
           target_type=TARGET, target_id=question.id, own_email=True)  # fmt: skip
    if question.email_me:
        mail_after_commit(
            question.member,
            _("A professional answered your question."),
            f"/g/{access.group.slug}/questions/{question.id}",
        )
    return question


def release(actor: User, access: GroupAccess, question_id: int) -> ProfessionalQuestion:
    """Put a picked-up question back for the team (the one who took it cannot answer after all)."""
    question = _team_question(actor, access, question_id)
    if question.status == "waiting":
        raise DomainError(_("Nobody has picked up this question yet."))
    if not policy.can_answer_question(actor, question, care_group_ids(actor)):
        raise _taken(question)
    question.claimed_by_id, question.claimed_at, question.status = None, None, "waiting"
    db.session.flush()
    return question


def waiting_for(actor: User) -> list[WaitingQuestion]:
    """For professionals: open questions (waiting or taken) of the groups they work in, waiting longest first."""
    groups = care_group_ids(actor)
    if not groups:
        return []
    rows = db.session.execute(
        select(ProfessionalQuestion, Group)
        .join(Group, Group.id == ProfessionalQuestion.group_id)
        .where(ProfessionalQuestion.group_id.in_(groups), ProfessionalQuestion.status.in_(("waiting", "taken")))
        .order_by(ProfessionalQuestion.created_at, ProfessionalQuestion.id)
        .limit(LIST_PAGE)
    ).all()
    return [WaitingQuestion(question, group, question.created_at) for question, group in rows]


def answered_by_team(actor: User) -> list[tuple[ProfessionalQuestion, Group]]:
    groups = care_group_ids(actor)
    if not groups:
        return []
    return list(
        db.session.execute(
            select(ProfessionalQuestion, Group)
            .join(Group, Group.id == ProfessionalQuestion.group_id)
            .where(ProfessionalQuestion.group_id.in_(groups), ProfessionalQuestion.status == "answered")
            .order_by(ProfessionalQuestion.answered_at.desc())
            .limit(LIST_PAGE)
        ).all()
    )


def my_questions(actor: User) -> list[tuple[ProfessionalQuestion, Group]]:
    """The member's own questions in groups they still read, newest first."""
    readable = reading_group_ids(actor)
    if not readable:
        return []
    return list(
        db.session.execute(
            select(ProfessionalQuestion, Group)
            .join(Group, Group.id == ProfessionalQuestion.group_id)
            .where(ProfessionalQuestion.member_id == actor.id, ProfessionalQuestion.group_id.in_(readable))
            .order_by(ProfessionalQuestion.id.desc())
            .limit(LIST_PAGE)
        ).all()
    )


def waiting_count(actor: User) -> int:
    groups = care_group_ids(actor)
    if not groups:
        return 0
    return (
        db.session.scalar(
            select(func.count())
            .select_from(ProfessionalQuestion)
            .where(ProfessionalQuestion.group_id.in_(groups), ProfessionalQuestion.status == "waiting")
        )
        or 0
    )
