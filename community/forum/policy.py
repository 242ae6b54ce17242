"""Who may do what in a group's forum. Pure predicates: plain values in, a bool out, no Flask globals.

Each takes the actor, the group and the actor's membership in it (as ``GroupAccess`` carries them), plus the
topic or post concerned. Pages call them once per page with values they already loaded: no query happens here.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from community.auth.models import User
from community.forum.models import Announcement, Post, Topic
from community.groups import policy as groups_policy
from community.groups.models import Group, Membership

EDITABLE_STATES = ("published", "held")  # refused, hidden and removed posts are out of the writer's hands


def can_read_topic(user: User | None, group: Group, membership: Membership | None, topic: Topic) -> bool:
    """Published topics for everyone who reads the group; a held topic only for its writer and moderators."""
    if not groups_policy.can_view_group(user, group, membership) or topic.group_id != group.id:
        return False
    if topic.state == "published":
        return True
    return topic.state == "held" and can_see_held(user, group, membership, topic.author_id)


def can_post(user: User | None, group: Group, membership: Membership | None) -> bool:
    """Start a topic or reply: an active member of an active (not archived) group."""
    return groups_policy.can_write_in_group(user, group, membership)


def can_reply(user: User | None, group: Group, membership: Membership | None, topic: Topic) -> bool:
    return can_post(user, group, membership) and topic.group_id == group.id and topic.state == "published"


def can_edit_post(user: User | None, group: Group, membership: Membership | None, post: Post) -> bool:
    """Writers change their own posts; a group's moderators may change any post in their group."""
    if not can_post(user, group, membership) or user is None or membership is None:
        return False
    if post.group_id != group.id or post.state not in EDITABLE_STATES:
        return False
    return post.author_id == user.id or membership.role in groups_policy.MODERATING_ROLES


def editable_post_ids(user: User | None, group: Group, membership: Membership | None, posts: Iterable[Any]) -> set[int]:
    """``can_edit_post`` for a whole page of posts, with the member's rights checked once, not once per post.
    ``posts``: anything with ``id``, ``group_id``, ``state`` and ``author_id`` (posts, or the page's pieces)."""
    if not can_post(user, group, membership) or user is None or membership is None:
        return set()
    any_author = membership.role in groups_policy.MODERATING_ROLES
    return {
        post.id
        for post in posts
        if post.group_id == group.id and post.state in EDITABLE_STATES and (any_author or post.author_id == user.id)
    }


def can_see_revisions(user: User | None, group: Group, membership: Membership | None) -> bool:
    """The earlier text of edited posts: the group's moderators only."""
    return groups_policy.is_group_moderator(user, group, membership)


def can_see_held(user: User | None, group: Group, membership: Membership | None, author_id: int | None) -> bool:
    """A post or topic waiting for a moderator is shown to its writer and to the group's moderators only."""
    if not groups_policy.can_view_group(user, group, membership) or user is None or membership is None:
        return False
    return (author_id is not None and author_id == user.id) or membership.role in groups_policy.MODERATING_ROLES


def can_see_all_held(user: User | None, group: Group, membership: Membership | None) -> bool:
    """Every post of the group that waits for a moderator (others see only their own)."""
    return groups_policy.is_group_moderator(user, group, membership)


def can_post_as_coach(user: User | None, group: Group, membership: Membership | None) -> bool:
    """Speak as the group's coach (a labelled style): the group's moderators, when they may write."""
    return can_post(user, group, membership) and groups_policy.is_group_moderator(user, group, membership)


# --- reactions, coach posts, pinning, announcements (part 2) -------------------------------------------------


def can_react(user: User | None, group: Group, membership: Membership | None, post: Post) -> bool:
    """Supportive reactions: an active member of an active group, on a published post of that group.

    A muted member reads but does not react (a mute is a sanction on taking part, reactions included)."""
    return can_post(user, group, membership) and post.group_id == group.id and post.state == "published"


def is_acting_moderator(user: User | None, group: Group, membership: Membership | None) -> bool:
    """The group's moderator whose own membership is in good standing (a muted moderator does not moderate)."""
    return (
        groups_policy.is_group_moderator(user, group, membership)
        and membership is not None
        and membership.state == "active"
    )


def can_pin(user: User | None, group: Group, membership: Membership | None, topic: Topic) -> bool:
    """Pin or unpin a published topic of an active group: its moderators."""
    return (
        is_acting_moderator(user, group, membership)
        and group.state == "active"
        and topic.group_id == group.id
        and topic.state == "published"
    )


def can_announce(user: User | None, group: Group, membership: Membership | None) -> bool:
    """Make an announcement every member sees at the top of the group page: moderators of an active group."""
    return is_acting_moderator(user, group, membership) and group.state == "active"


def can_end_announcement(
    user: User | None, group: Group, membership: Membership | None, announcement: Announcement
) -> bool:
    """End a running announcement for everyone: the group's moderators, even in an archived group (ending
    only takes something away)."""
    return (
        is_acting_moderator(user, group, membership)
        and announcement.group_id == group.id
        and announcement.ended_at is None
    )


def can_dismiss_announcement(
    user: User | None, group: Group, membership: Membership | None, announcement: Announcement, now: datetime
) -> bool:
    """Put an announcement away for oneself: anyone who reads the group (a muted member too), once it is shown."""
    return (
        groups_policy.can_view_group(user, group, membership)
        and announcement.group_id == group.id
        and announcement.is_shown_at(now)
    )


def can_change_scheduled_announcement(
    user: User | None, group: Group, membership: Membership | None, announcement: Announcement, now: datetime
) -> bool:
    """Change the words or the time of an announcement that is not shown yet: the group's moderators."""
    return (
        can_announce(user, group, membership)
        and announcement.group_id == group.id
        and announcement.ended_at is None
        and not announcement.is_shown_at(now)
    )


def can_see_post_images(
    user: User | None, group: Group, membership: Membership | None, post: Post, topic: Topic
) -> bool:
    """An image is shown with its post: to readers of a published post in a topic they may read; a held post's
    images to its writer and the group's moderators only; refused, hidden and removed posts' images to nobody."""
    if post.group_id != group.id or post.topic_id != topic.id:
        return False
    if not can_read_topic(user, group, membership, topic):
        return False
    if post.state == "published":
        return True
    return post.state == "held" and can_see_held(user, group, membership, post.author_id)
