"""A member's answer to an event (yes, maybe, no): one per person, changed as often as they like, until the
event ends; a cancelled event takes no answers."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from community.auth.models import User
from community.core.database import savepoint
from community.core.errors import DomainError
from community.core.time import utcnow
from community.events import policy
from community.events.models import ANSWERS, Rsvp
from community.events.services import open_event
from community.extensions import db
from community.groups.services import GroupAccess


def answer_of(user: User, event_id: int) -> str | None:
    return db.session.scalar(select(Rsvp.answer).where(Rsvp.event_id == event_id, Rsvp.user_id == user.id))


def answer(actor: User, access: GroupAccess, event_id: int, choice: str) -> Rsvp:
    """Store the actor's answer. Another group's event: not found; cancelled or ended: refused, nothing stored."""
    event = open_event(actor, access, event_id)
    if choice not in ANSWERS:
        raise DomainError(_l("Choose yes, maybe or no."))
    now = utcnow()
    if not policy.can_answer(actor, access.group, access.membership, event, now):
        if event.state == "cancelled":
            raise DomainError(_l("This event was cancelled, so it takes no answers."))
        if event.ends_at <= now:
            raise DomainError(_l("This event is over, so it takes no more answers."))
        raise DomainError(_l("This group is archived: its events take no answers."))
    rsvp = db.session.scalar(select(Rsvp).where(Rsvp.event_id == event.id, Rsvp.user_id == actor.id))
    if rsvp is None:
        try:
            with savepoint():  # two tabs answering at once: the unique constraint decides, the last answer wins
                rsvp = Rsvp(event_id=event.id, user_id=actor.id, answer=choice, updated_at=now)
                db.session.add(rsvp)
                db.session.flush()
            return rsvp
        except IntegrityError:
            rsvp = db.session.scalar(select(Rsvp).where(Rsvp.event_id == event.id, Rsvp.user_id == actor.id))
            assert rsvp is not None  # noqa: S101  (the other tab's row is there: that is why the insert failed)
    rsvp.answer, rsvp.updated_at = choice, now
    return rsvp
