"""Questions to a group's professionals and requests to talk with one, as moderation sees them: the
"pro_question" and "pro_request" target kinds (held by the screening; moderators approve or refuse them, nothing
else applies). Registered with ``moderation.targets`` by ``professionals.wiring``; moderation never imports this
feature."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from community.core.time import utcnow
from community.extensions import db
from community.moderation.targets import Target, TargetKind
from community.professionals.models import ProfessionalQuestion, ProfessionalRequest

ACTIONS = ("approve", "refuse", "dismiss")


def _loader(target_type: str, model: Any):
    def load(pro_id: int) -> Target | None:
        pro = db.session.get(model, pro_id)
        if pro is None:
            return None
        return Target(target_type, pro.id, pro.group_id, pro.member, pro=pro)

    return load


def question_state(target: Target) -> str:
    """A held question keeps the screening's state."""
    return target.pro.state


def request_state(target: Target) -> str:
    """An open request is "held" until a moderator decides."""
    return {"open": "held", "declined": "refused"}.get(target.pro.state, "published")


def set_question_state(target: Target, state: str, reason: str) -> None:
    """Held questions already reached the professionals (their own lists show them), so approving marks the
    question published; refusing takes it off the team's waiting list."""
    pro = target.pro
    if state == "refused" and pro.status != "answered":
        pro.status, pro.claimed_by_id = "closed", None  # out of the team's waiting list
    elif state == "published" and pro.status == "closed":
        pro.status = "waiting"  # a refusal undone on appeal: back on the team's list
    pro.state = state
    db.session.flush()


def set_request_state(target: Target, state: str, reason: str) -> None:
    """Approving leaves an open request open for the professional to answer; refusing declines it (the member
    reads the reason on the request page and in the decision notice)."""
    pro = target.pro
    if state == "refused" and pro.state == "open":
        pro.state, pro.decided_at, pro.decline_note = "declined", utcnow(), reason
    elif state == "published" and pro.state == "declined" and not _open_request_exists(pro):
        pro.state, pro.decided_at, pro.decline_note = "open", None, ""  # a refusal undone on appeal
    db.session.flush()


def _open_request_exists(pro: ProfessionalRequest) -> bool:
    """Another open request from the same member to the same professional (at most one may be open)."""
    return (
        db.session.scalar(
            select(ProfessionalRequest.id).where(
                ProfessionalRequest.member_id == pro.member_id,
                ProfessionalRequest.professional_id == pro.professional_id,
                ProfessionalRequest.state == "open",
                ProfessionalRequest.id != pro.id,
            )
        )
        is not None
    )


QUESTION = TargetKind(
    "pro_question", _loader("pro_question", ProfessionalQuestion), question_state, set_question_state, actions=ACTIONS
)
REQUEST = TargetKind(
    "pro_request", _loader("pro_request", ProfessionalRequest), request_state, set_request_state, actions=ACTIONS
)
