"""What moderation asks the forum about its posts, answered here so that moderation never reads forum tables.

Connected from ``forum.wiring``: ``moderation.signals.published_count`` (how many published posts a member has
in a group: the new-member limits and the pre-moderation of a new member's first posts)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select

from community.extensions import db
from community.forum.models import Post


def published_posts(_sender: object, *, user_id: int, group_id: int, limit: int, kinds: Sequence[str]) -> int:
    """The member's published posts in the group, counted no further than ``limit``."""
    if "post" not in kinds:
        return 0
    query = select(Post.id).where(Post.author_id == user_id, Post.group_id == group_id, Post.state == "published")
    return len(db.session.scalars(query.limit(limit)).all())
