"""The moderation pipeline's interface.

Every topic, reply, edit and chat message calls :func:`screen` before it is stored, and :func:`enqueue_held`
when the verdict is "hold". This first version applies the member's state and the group's pre-moderation
mode; keyword filters and safeguarding (the moderation issue) plug in behind the same interface.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select

from community.auth.models import User
from community.core.time import utcnow
from community.extensions import db
from community.forum.models import Post
from community.groups.models import Group, Membership
from community.moderation.models import PRIORITY_NORMAL, QueueItem

PUBLISH, HOLD, REFUSE = "publish", "hold", "refuse"


@dataclass(frozen=True)
class Screening:
    verdict: str
    reason: str = ""  # for "refuse": shown to the writer; for "hold": shown to moderators
    priority: int = PRIORITY_NORMAL
    notices: tuple[str, ...] = field(default=())  # things the writer should see at once (helplines, warnings)

    @property
    def state(self) -> str:
        return {PUBLISH: "published", HOLD: "held", REFUSE: "refused"}[self.verdict]


def _posts_so_far(user: User, group: Group) -> int:
    return (
        db.session.scalar(
            select(func.count())
            .select_from(Post)
            .where(Post.author_id == user.id, Post.group_id == group.id, Post.state == "published")
        )
        or 0
    )


def screen(actor: User, group: Group, membership: Membership, text: str, *, kind: str) -> Screening:
    """Decide publish / hold / refuse for a piece of member text. ``kind``: topic, reply, edit, message."""
    if membership.state != "active":
        return Screening(REFUSE, "You cannot write in this group at the moment.")
    if membership.role == "moderator":
        return Screening(PUBLISH)
    if group.premoderation == "all":
        return Screening(HOLD, "This group checks every post before it is shown.")
    first_posts_checked = group.premoderation == "new_members" and kind != "message"
    if first_posts_checked and _posts_so_far(actor, group) < group.premoderation_first_posts:
        return Screening(HOLD, "A new member's first posts are checked before they are shown.")
    return Screening(PUBLISH)


def enqueue_held(group: Group, *, target_type: str, target_id: int, screening: Screening) -> QueueItem:
    item = QueueItem(
        group_id=group.id,
        kind="held",
        priority=screening.priority,
        target_type=target_type,
        target_id=target_id,
        reason=screening.reason,
        created_at=utcnow(),
    )
    db.session.add(item)
    db.session.flush()
    return item
