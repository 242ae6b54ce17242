"""What moderators do: on content (approve, refuse, ask to rephrase, edit and approve, hide, delete, dismiss a
report) and on the member (warn, mute, suspend, remove), from the queue or where the content is.

Every action, in one transaction: the queue item is closed atomically (``queue.resolve``), the change is made,
a ``ModerationAction`` row is stored for the member (what happened, why, how to appeal), an audit entry is
written, and the member is notified. Realtime events go out after the commit.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from community.auth.models import User
from community.core import audit
from community.core.errors import DomainError, Forbidden, NotFound
from community.core.realtime import leave_group_rooms_after_commit
from community.core.time import utcnow
from community.extensions import db
from community.groups import invitation_staff
from community.groups.models import Group
from community.moderation import policy, queue, targets
from community.moderation.models import ModerationAction, QueueItem
from community.moderation.targets import Target
from community.notifications import services as notifications

REASON_MAX = 1000
MUTE_DAYS = (1, 3, 7, 30)
SUSPEND_DAYS = (1, 3, 7, 30, 0)  # 0: until a moderator lifts it
NEEDS_REASON = ("refuse", "rephrase", "hide", "delete", "warn", "mute", "suspend", "remove")
# Which states each content action starts from.
FROM_STATES = {
    "approve": ("held", "hidden"),
    "edit_approve": ("held", "hidden", "published"),
    "refuse": ("held", "published", "hidden"),
    "rephrase": ("held", "published", "hidden"),
    "hide": ("held", "published"),
    "delete": ("held", "published", "hidden", "refused", "rephrase"),
    "dismiss": ("published", "hidden"),
}
TO_STATE = {"approve": "published", "edit_approve": "published", "refuse": "refused", "rephrase": "rephrase",
            "hide": "hidden", "delete": "removed"}  # fmt: skip
PRIVATE_WORDS = _l("The words of a private message stay the writer's: hide or delete it instead of editing it.")
TOLD_ABOUT = set(TO_STATE) | set(policy.MEMBER_ACTIONS)  # "dismiss" changes nothing of the writer's


def clean_reason(action: str, reason: str | None) -> str:
    reason = (reason or "").strip()
    if action in NEEDS_REASON and not reason:
        raise DomainError(_l("Write a short reason: the member reads it, with how to appeal."), field="reason")
    if len(reason) > REASON_MAX:
        raise DomainError(_l("Keep the reason under %(count)d characters.", count=REASON_MAX), field="reason")
    return reason


def _days(action: str, days: int | None) -> int | None:
    allowed = MUTE_DAYS if action == "mute" else SUSPEND_DAYS if action == "suspend" else None
    if allowed is None:
        return None
    if days not in allowed:
        raise DomainError(_l("Choose how long this lasts from the list."), field="days")
    return days


def act_on_item(
    actor: User, item_id: int, action: str, *, reason: str = "", body: str = "", days: int | None = None,
    revoke_codes: bool = False,
) -> ModerationAction | None:  # fmt: skip
    """Act on a queue item. Content actions close it; member actions keep it (claimed) unless it is about a
    profile. Appeals are decided in ``appeals.decide``. ``revoke_codes``: on "remove", also withdraw the open
    invitation the member joined through (as the admin removal page does)."""
    item, group = queue.open_item(actor, item_id)
    if item.kind == "appeal":
        raise DomainError(_l("Decide an appeal with “Keep the decision” or “Undo the decision”."))
    if item.resolved_at is not None:
        raise DomainError(queue.DONE)
    if item.target_type in targets.PLACES:
        # A heated topic or room (a conflict alert): act on its posts or messages where they are, then close it.
        if action != "dismiss":
            raise DomainError(_l("Act on single posts or messages in the conversation, then mark this as handled."))
        target = Target(item.target_type, item.target_id, group.id, None)
    elif item.target_type == "user":
        subject = db.session.get(User, item.target_id)
        if subject is None:
            raise NotFound(targets.NOT_FOUND)
        target = Target("user", subject.id, group.id, subject)
    else:
        _group, target = targets.open_target(actor, item.target_type, item.target_id, item=item)
    return _act(actor, group, target, action, item=item, reason=reason, body=body, days=days,
                revoke_codes=revoke_codes)  # fmt: skip


def act_on_content(
    actor: User, target_type: str, target_id: int, action: str, *, reason: str = "", body: str = "",
    days: int | None = None, revoke_codes: bool = False,
) -> ModerationAction | None:  # fmt: skip
    """The same actions from the topic page or the chat room. Open queue items about the same content are
    closed with it; one another moderator holds makes this wait for them. A private message needs grounds
    (``targets.open_target``): a report or an open safeguarding case about its conversation."""
    group, target = targets.open_target(actor, target_type, target_id)
    return _act(actor, group, target, action, item=None, reason=reason, body=body, days=days,
                revoke_codes=revoke_codes)  # fmt: skip


def _act(
    actor: User, group: Group, target: Target, action: str, *, item: QueueItem | None, reason: str, body: str,
    days: int | None, revoke_codes: bool = False,
) -> ModerationAction | None:  # fmt: skip
    if action not in policy.CONTENT_ACTIONS + policy.MEMBER_ACTIONS:
        raise DomainError(_l("Choose one of the actions shown."), field="action")
    reason = clean_reason(action, reason)
    days = _days(action, days)
    if action in policy.MEMBER_ACTIONS:
        until, revoked = _sanction(actor, group, target, action, days, revoke_codes=revoke_codes)
        if item is not None and item.target_type == "user":
            queue.resolve(actor, item, action)
        elif item is not None:
            queue.hold_open_item(actor, item)
        return _record(actor, group, target, action, item, reason, until=until, days=days, revoked=revoked)
    if action in policy.CONTENT_ACTIONS and not targets.allows(target, action):
        raise DomainError(_l("A question or request to professionals can only be approved or refused."))
    if not target.is_content:
        if action != "dismiss":
            raise DomainError(_l("A profile has no post to approve or hide: act on the member, or dismiss."))
    elif target.state not in FROM_STATES[action]:
        raise DomainError(_l("This cannot be done to it any more: it is %(state)s now.", state=target.state))
    if action == "edit_approve" and not target.words_editable:
        raise DomainError(PRIVATE_WORDS, field="body")
    _close_items(actor, target, item, action)
    if action == "edit_approve":
        _replace_text(actor, group, target, body)
    if action in TO_STATE:
        targets.set_state(target, TO_STATE[action], reason if action != "approve" else "")
    elif action == "dismiss" and target.state == "hidden":
        targets.set_state(target, "published")  # hidden after reports, and the reports were unfounded
    return _record(actor, group, target, action, item, reason)


def _close_items(actor: User, target: Target, item: QueueItem | None, action: str) -> None:
    """Close the item acted on and every other open item about the same content (a held post that was also
    reported). If another moderator holds one of them, nothing happens and the actor is told."""
    others = [] if not target.is_content else queue.open_items_on(target.target_type, target.target_id)
    if item is not None and item.id not in {other.id for other in others}:
        others.insert(0, item)
    for other in others:
        queue.resolve(actor, other, action)


def _replace_text(actor: User, group: Group, target: Target, body: str) -> None:
    """The moderator's words replace the writer's, through the content's kind (a post keeps the writer's text
    as a revision and links mentions again)."""
    kind = targets.kind_of(target.target_type)
    if not target.words_editable or kind.edit_words is None or kind.clean_body is None:
        raise DomainError(PRIVATE_WORDS, field="body")  # never a private message's words (also refused in _act)
    kind.edit_words(target, actor.id, group.id, kind.clean_body(body))


def _sanction(
    actor: User, group: Group, target: Target, action: str, days: int | None, *, revoke_codes: bool
) -> tuple[datetime | None, list[int] | None]:
    """Change the membership; returns until when, and (on "remove") the invitations withdrawn with it."""
    subject = target.author
    membership = queue.membership_of(subject.id, group.id) if subject is not None else None
    if subject is None or membership is None:
        raise DomainError(_l("This person is no longer in the group."))
    if not policy.can_sanction(actor, subject, membership):
        raise Forbidden(_l("Actions on a member are for members: not for moderators, admins or yourself."))
    until, revoked = utcnow() + timedelta(days=days) if days else None, None
    if action == "mute":
        if membership.state == "suspended":
            raise DomainError(_l("This member is suspended; lift the suspension first if a mute is enough."))
        membership.state, membership.state_until = "muted", until
    elif action == "suspend":
        membership.state, membership.state_until = "suspended", until
        leave_group_rooms_after_commit(subject.id, group.id)
    elif action == "remove":  # no invitation made before now lets them back in (groups.policy)
        membership.state, membership.state_until, membership.removed_at = "removed", None, utcnow()
        # The same withdrawal as the admin's removal (groups.services.remove_member), each one audited.
        revoked = invitation_staff.revoke_used_by(actor, membership) if revoke_codes else []
        leave_group_rooms_after_commit(subject.id, group.id)
    db.session.flush()
    return until, revoked


def _record(
    actor: User, group: Group, target: Target, action: str, item: QueueItem | None, reason: str, *,
    until=None, days: int | None = None, revoked: list[int] | None = None,
) -> ModerationAction:  # fmt: skip
    subject_id = target.author.id if target.author is not None else None
    row = ModerationAction(
        group_id=group.id, actor_id=actor.id, subject_id=subject_id, action=action,
        target_type=target.target_type, target_id=target.target_id, queue_item_id=item.id if item else None,
        reason=reason, until=until, created_at=utcnow(),
    )  # fmt: skip
    db.session.add(row)
    db.session.flush()
    details = {"subject_id": subject_id, "queue_item_id": item.id if item else None, "moderation_action_id": row.id}
    if days is not None:
        details["days"] = days
    if revoked is not None:
        details["invitations_revoked"] = revoked
    audit.record(
        f"moderation.{action}", actor_id=actor.id, target_type=target.target_type, target_id=target.target_id,
        group_id=group.id, reason=reason, details=details,
    )  # fmt: skip
    if subject_id is not None and action in TOLD_ABOUT:
        tell(subject_id, actor, row)
    return row


def tell(user_id: int, actor: User, row: ModerationAction, kind: str = "moderation_outcome") -> None:
    """The member hears of it in their notifications (no group: a suspended or removed member still reads it).
    The notice page says what, why, until when, and how to appeal."""
    notifications.notify(
        [user_id], kind=kind, actor_id=actor.id, group_id=None, target_type="moderation_action", target_id=row.id
    )


def history_of(group_id: int, subject_id: int, *, limit: int = 20) -> list[ModerationAction]:
    """Earlier actions on a member in one group, newest first (bounded)."""
    return list(
        db.session.scalars(
            select(ModerationAction)
            .where(ModerationAction.group_id == group_id, ModerationAction.subject_id == subject_id)
            .order_by(ModerationAction.id.desc())
            .limit(limit)
        )
    )


def actions_on(target_type: str, target_id: int, *, limit: int = 20) -> list[ModerationAction]:
    return list(
        db.session.scalars(
            select(ModerationAction)
            .where(ModerationAction.target_type == target_type, ModerationAction.target_id == target_id)
            .order_by(ModerationAction.id.desc())
            .limit(limit)
        )
    )
