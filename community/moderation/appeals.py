"""The member's side of a moderator's action: reading what happened, rephrasing, and asking once for another
look (an appeal), which comes back to the queue for a different moderator where there is one."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from community.auth.models import User
from community.core import audit
from community.core.errors import DomainError, NotFound
from community.core.time import utcnow
from community.extensions import db
from community.groups.models import Group, Membership
from community.groups.policy import MODERATING_ROLES
from community.moderation import policy, queue, targets
from community.moderation import services as pipeline
from community.moderation.actions import REASON_MAX, clean_reason, tell
from community.moderation.models import PRIORITY_NORMAL, Appeal, ModerationAction, QueueItem

NOTE_MAX = 2000
PER_PAGE = 25
NOTICE_NOT_FOUND = _l("We could not find that decision.")
REPHRASED = "Rephrased by the writer after a moderator asked; please look again."


@dataclass(frozen=True)
class Notice:
    action: ModerationAction
    group: Group | None
    appeal: Appeal | None
    target: targets.Target | None  # the content, for "rephrase" (None for a profile or content that is gone)

    @property
    def can_appeal(self) -> bool:
        return self.appeal is None and self.action.action in policy.APPEALABLE

    @property
    def can_rephrase(self) -> bool:
        return self.action.action == "rephrase" and self.target is not None and self.target.state == "rephrase"


def my_notices(actor: User, *, before_id: int = 0) -> tuple[list[ModerationAction], bool]:
    """Decisions about the actor's content and membership, newest first (25 a page, keyset by id)."""
    query = select(ModerationAction).where(
        ModerationAction.subject_id == actor.id, ModerationAction.action != "dismiss"
    )
    if 0 < before_id < 2**31:
        query = query.where(ModerationAction.id < before_id)
    rows = list(db.session.scalars(query.order_by(ModerationAction.id.desc()).limit(PER_PAGE + 1)))
    return rows[:PER_PAGE], len(rows) > PER_PAGE


def notice(actor: User, action_id: int) -> Notice:
    """One decision about the actor (someone else's is "not found")."""
    row = db.session.get(ModerationAction, action_id) if 0 < action_id < 2**31 else None
    if row is None or row.subject_id != actor.id:
        raise NotFound(NOTICE_NOT_FOUND)
    appeal = db.session.scalar(select(Appeal).where(Appeal.action_id == row.id))
    target = None
    if row.target_type in ("post", "message"):
        try:
            target = targets.load(row.target_type, row.target_id)
        except NotFound:
            target = None
    return Notice(row, db.session.get(Group, row.group_id), appeal, target)


def resubmit(actor: User, action_id: int, body: str) -> targets.Target:
    """The writer sends rephrased text back: it is screened, stored (the old text kept as a revision for a
    post) and waits in the queue again, for a moderator to look."""
    found = notice(actor, action_id)
    if not found.can_rephrase or found.target is None:
        raise DomainError(_l("This can no longer be rephrased."))
    target = found.target
    membership = queue.membership_of(actor.id, target.group_id)
    group = found.group
    if group is None or membership is None or membership.state != "active" or group.state != "active":
        raise DomainError(_l("You cannot write in this group at the moment."))
    kind = targets.kind_of(target.target_type)
    if kind.clean_body is None or kind.rephrase is None:
        raise DomainError(_l("This can no longer be rephrased."))
    text = kind.clean_body(body)
    screening = pipeline.screen(actor, group, membership, text, kind="edit")
    if screening.verdict == pipeline.REFUSE:
        raise DomainError(screening.reason, field="body")
    kind.rephrase(target, actor.id, text)  # a post keeps the old text as a revision
    targets.set_state(target, "held", REPHRASED)
    held = pipeline.Screening(pipeline.HOLD, REPHRASED, min(screening.priority, PRIORITY_NORMAL))
    pipeline.enqueue_held(group, target_type=target.target_type, target_id=target.target_id, screening=held)
    return target


def appeal(actor: User, action_id: int, note: str) -> Appeal:
    """Ask once for another look at a refusal or sanction."""
    found = notice(actor, action_id)
    if found.appeal is not None:
        raise DomainError(_l("You have asked for another look at this already. A moderator will answer."))
    if not found.can_appeal:
        raise DomainError(_l("This decision cannot be appealed."))
    note = (note or "").strip()
    if not note:
        raise DomainError(_l("Tell the moderators briefly why they should look again."), field="note")
    if len(note) > NOTE_MAX:
        raise DomainError(_l("Keep it under %(count)d characters.", count=NOTE_MAX), field="note")
    row = Appeal(action_id=found.action.id, user_id=actor.id, note=note, created_at=utcnow())
    db.session.add(row)
    db.session.flush()
    db.session.add(
        QueueItem(
            group_id=found.action.group_id, kind="appeal", priority=PRIORITY_NORMAL, target_type="appeal",
            target_id=row.id, reason="", created_at=utcnow(), excluded_moderator_id=found.action.actor_id,
        )
    )  # fmt: skip
    db.session.flush()
    return row


def other_moderators(group_id: int, excluded_id: int | None) -> int:
    """How many acting moderators of the group besides the one who took the appealed action."""
    query = (
        select(func.count())
        .select_from(Membership)
        .where(
            Membership.group_id == group_id,
            Membership.role.in_(MODERATING_ROLES),
            Membership.state == "active",
        )
    )
    if excluded_id is not None:
        query = query.where(Membership.user_id != excluded_id)
    return db.session.scalar(query) or 0


def may_decide(actor: User, item: QueueItem) -> bool:
    return policy.can_decide_appeal(
        actor, item.excluded_moderator_id, other_moderators(item.group_id, item.excluded_moderator_id)
    )


def decide(actor: User, item_id: int, decision: str, reason: str) -> ModerationAction:
    """Keep ("uphold") or undo ("overturn") the appealed action; the member is told with the reason."""
    item, group = queue.open_item(actor, item_id)
    if item.kind != "appeal":
        raise DomainError(_l("This item is not an appeal."))
    if decision not in policy.APPEAL_DECISIONS:
        raise DomainError(_l("Choose one of the actions shown."), field="action")
    if not may_decide(actor, item):
        raise DomainError(_l("You took the decision being appealed: another moderator of the group answers it."))
    reason = clean_reason("refuse", reason)
    if len(reason) > REASON_MAX:  # pragma: no cover (clean_reason checks it)
        raise DomainError(_l("Keep the reason shorter."), field="reason")
    row = db.session.get(Appeal, item.target_id)
    original = db.session.get(ModerationAction, row.action_id) if row is not None else None
    if row is None or original is None:
        raise NotFound(queue.ITEM_NOT_FOUND)
    queue.resolve(actor, item, decision)
    if decision == "overturn":
        _undo(original)
    now = utcnow()
    row.outcome, row.decided_by_id, row.decided_at = (
        ("overturned" if decision == "overturn" else "upheld"),
        actor.id,
        now,
    )
    answer = ModerationAction(
        group_id=group.id, actor_id=actor.id, subject_id=original.subject_id, action=f"appeal_{row.outcome}",
        target_type=original.target_type, target_id=original.target_id, queue_item_id=item.id, reason=reason,
        created_at=now,
    )  # fmt: skip
    db.session.add(answer)
    db.session.flush()
    audit.record(
        f"moderation.appeal_{row.outcome}", actor_id=actor.id, target_type="appeal", target_id=row.id,
        group_id=group.id, reason=reason,
        details={"moderation_action_id": original.id, "subject_id": original.subject_id, "queue_item_id": item.id},
    )  # fmt: skip
    if original.subject_id is not None:
        tell(original.subject_id, actor, answer, kind="appeal_outcome")
    return answer


def _undo(original: ModerationAction) -> None:
    """Put back what the appealed action changed, as far as it can be put back."""
    if original.action in ("mute", "suspend", "remove"):
        membership = queue.membership_of(original.subject_id or 0, original.group_id)
        if membership is not None and membership.state in ("muted", "suspended", "removed"):
            membership.state, membership.state_until = "active", None
    elif original.action == "edit_approve" and original.target_type == "post":
        _restore_writers_text(original)
    elif original.action in ("refuse", "hide", "delete") and original.target_type in targets.kinds():
        target = targets.load(original.target_type, original.target_id)
        if target.state in ("refused", "hidden", "removed"):
            targets.set_state(target, "published")


def _restore_writers_text(original: ModerationAction) -> None:
    """Undo a moderator's edit of a post: the writer's text from just before it comes back (kept as a revision);
    the moderator's version is kept as a revision in turn."""
    target = targets.load("post", original.target_id)
    restore = targets.kind_of("post").restore_words
    if restore is not None:
        restore(target, original.actor_id, original.created_at)


@dataclass(frozen=True)
class AppealView:
    appeal: Appeal
    original: ModerationAction


def appeal_of(item: QueueItem) -> AppealView | None:
    if item.kind != "appeal":
        return None
    row = db.session.get(Appeal, item.target_id)
    original = db.session.get(ModerationAction, row.action_id) if row is not None else None
    return AppealView(row, original) if row is not None and original is not None else None
