"""@mentions in the forum: "@Display Name" of a group member links to their profile and tells them in-app.

The name matching (display names, why it is safe) is ``groups/mentions.py``, shared with chat; this module
decides when a post tells the people it mentions.
"""

from __future__ import annotations

from collections.abc import Iterable

from community.core.sanitize import render_markdown
from community.forum.models import Post
from community.groups.mentions import link_mentions
from community.groups.models import Group
from community.moderation import safety
from community.notifications import services as notifications

MENTION_LIMIT = 10  # at most this many people are told about one post (a long list of names is not a message)
__all__ = ["MENTION_LIMIT", "apply_mentions", "link_mentions", "notify_on_publish"]  # link_mentions: groups


def apply_mentions(group: Group, post: Post) -> list[int]:
    """At write time, right after the sanitizer: link the mentions in ``post.body_html`` and, if the post is
    published, tell the people mentioned. Returns the ids of those told.

    A held post is linked now but tells nobody until a moderator approves it: the forum's moderation target
    (``forum/moderated.py``) calls :func:`notify_on_publish` then. Editing calls this again; people already told
    are not told twice.
    """
    post.body_html, mentioned = link_mentions(group.id, post.body_html)
    if post.state != "published":
        return []
    return _notify(post, mentioned)


def notify_on_publish(post: Post) -> list[int]:
    """For a post that has just become published (a held post approved): tell the people it mentions who are
    in the group now. Mentions are read again from the source, so membership is checked at this moment."""
    if post.state != "published":
        return []
    _, mentioned = link_mentions(post.group_id, render_markdown(post.body_source))
    return _notify(post, mentioned)


def _notify(post: Post, mentioned: Iterable[int]) -> list[int]:
    told = notifications.already_notified("mention", "post", post.id)
    recipients = [user_id for user_id in mentioned if user_id != post.author_id and user_id not in told]
    if post.author_id is not None and recipients:
        blocked = safety.who_blocked(post.author_id, recipients)  # a block: no mentions from them
        recipients = [user_id for user_id in recipients if user_id not in blocked]
    recipients = recipients[:MENTION_LIMIT]
    notifications.notify(
        recipients,
        kind="mention",
        actor_id=post.author_id,
        group_id=post.group_id,
        target_type="post",
        target_id=post.id,
        topic_id=post.topic_id,
    )
    return recipients
