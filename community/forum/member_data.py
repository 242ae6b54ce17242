"""The forum's part of a member's export and erasure.

Export: their posts (with the title of a topic only when they opened it: a title is its opener's words) and
the images and documents of their posts (the files themselves), and their reactions (on posts and on chat messages).

Erasure, as the member chose: ``anonymise`` cuts the author link of their posts and topics (the words stay
under "former member"); ``remove`` empties their replies (state ``removed``), deletes their posts' revisions,
and leaves a placeholder for a topic they opened when others replied in it (else the topic goes). Either way
the images and documents of their posts go (the files once the erasure is committed), as do their reactions,
read positions and dismissed announcements; announcements and revisions they made lose the link to them. Posts an
open report or case is about (``keep``) wait until it closes (``member_evidence_released``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select, update

from community.attachments import services as attachments
from community.attachments import storage
from community.attachments.models import Attachment
from community.auth.member_data import when
from community.auth.models import User
from community.auth.signals import (
    Evidence,
    contribute_member_data,
)
from community.core import sanitize
from community.extensions import db
from community.forum.models import Announcement, AnnouncementDismissal, Post, PostRevision, Topic
from community.forum.page_cache import touch_topics_of_member
from community.forum.read_models import TopicRead
from community.groups.models import Group
from community.reactions.models import Reaction

BATCH = 500
PLACEHOLDER = "_This post was removed by its writer._"


def _batched(query: Any, key: Any) -> Any:
    last = 0
    while True:
        rows = db.session.execute(query.where(key > last).order_by(key).limit(BATCH)).all()
        if not rows:
            return
        yield from rows
        last = rows[-1][0].id


def export_size(user: User) -> int:
    return db.session.scalar(select(func.count()).select_from(Post).where(Post.author_id == user.id)) or 0


def export_part(user: User) -> dict[str, Any]:
    posts: list[dict[str, Any]] = []
    files: dict[str, Path] = {}
    for post, topic, group_name in _batched(
        select(Post, Topic, Group.name).join(Topic, Topic.id == Post.topic_id).join(Group, Group.id == Post.group_id)
        .where(Post.author_id == user.id), Post.id
    ):  # fmt: skip
        entries, post_files = attachments.export_entries(post.attachments)
        files |= post_files
        posts.append({
            "id": post.id, "group": group_name, "topic_id": topic.id,
            # A topic's title is its opener's words: included only when that is this member.
            "topic_title": topic.title if topic.author_id == user.id else None,
            "text": post.body_source, "content_warning": post.content_warning, "state": post.state,
            "created_at": when(post.created_at), "edited_at": when(post.edited_at), "files": entries,
        })  # fmt: skip
    reactions = [
        {"kind": r.kind, "post_id": r.post_id, "message_id": r.message_id, "created_at": when(r.created_at)}
        for (r,) in _batched(select(Reaction).where(Reaction.user_id == user.id), Reaction.id)
    ]
    return {"posts.json": posts, "reactions.json": reactions, **files}


def _remove_posts(user_id: int, keep: frozenset[int]) -> tuple[int, list[str]]:
    own_posts = select(Post.id).where(Post.author_id == user_id, Post.id.not_in(keep))
    files = list(db.session.scalars(select(Attachment.file_name).where(Attachment.post_id.in_(own_posts))))
    db.session.execute(delete(Attachment).where(Attachment.post_id.in_(own_posts)))
    db.session.execute(delete(PostRevision).where(PostRevision.post_id.in_(own_posts)))
    count = 0
    placeholder_html = sanitize.clean_html(sanitize.render_markdown(PLACEHOLDER))
    held_topics = select(Post.topic_id).where(Post.id.in_(keep))  # a topic with a held post waits as it is
    for topic in db.session.scalars(
        select(Topic).where(Topic.author_id == user_id, Topic.id.not_in(held_topics))
    ).all():  # fmt: skip
        first_id = db.session.scalar(select(func.min(Post.id)).where(Post.topic_id == topic.id))
        others = db.session.scalar(
            select(func.count()).select_from(Post).where(Post.topic_id == topic.id, Post.author_id != user_id)
        )
        if not others:
            count += db.session.scalar(select(func.count()).select_from(Post).where(Post.topic_id == topic.id)) or 0
            db.session.execute(delete(Topic).where(Topic.id == topic.id))
            continue
        topic.title, topic.author_id = str(_l("Topic removed by its writer")), None
        db.session.execute(
            update(Post).where(Post.id == first_id)
            .values(body_source=PLACEHOLDER, body_html=placeholder_html, content_warning="", author_id=None)
        )  # fmt: skip
        count += 1
    mine = (Post.author_id == user_id, Post.id.not_in(keep))
    touched = list(db.session.scalars(select(Post.topic_id).where(*mine).distinct()))
    count += db.session.execute(
        update(Post).where(*mine)
        .values(body_source="", body_html="", content_warning="", state="removed", state_reason="erased",
                author_id=None)
    ).rowcount  # fmt: skip
    for topic_id in touched:
        replies = db.session.scalar(
            select(func.count()).select_from(Post).where(Post.topic_id == topic_id, Post.state == "published")
        )
        db.session.execute(update(Topic).where(Topic.id == topic_id).values(reply_count=max((replies or 1) - 1, 0)))
    return count, files


def _erase_posts(uid: int, mode: str, keep: Evidence) -> dict[str, int]:
    """Their posts and post images, except what ``keep`` holds. Runs at the erasure and again when the hold is
    released. Counts for the audit entry: posts and images."""
    touch_topics_of_member(db.session, uid)  # cached topic pages that show this member's posts or name: renew
    if mode == "remove":
        posts, files = _remove_posts(uid, keep.post_ids)
    else:
        own_posts = select(Post.id).where(Post.author_id == uid, Post.id.not_in(keep.post_ids))
        files = list(db.session.scalars(select(Attachment.file_name).where(Attachment.post_id.in_(own_posts))))
        db.session.execute(delete(Attachment).where(Attachment.post_id.in_(own_posts)))
        posts = db.session.execute(
            update(Post).where(Post.author_id == uid, Post.id.not_in(keep.post_ids)).values(author_id=None)
        ).rowcount
        db.session.execute(update(Topic).where(Topic.author_id == uid).values(author_id=None))
    storage.remove_after_commit(files)  # the files go once the erasure is committed (kept on rollback)
    return {"posts": posts, "images": len(files)}  # "images": every shared file (images and documents)


def erase(user: User, *, mode: str, keep: Evidence, **_details: Any) -> dict[str, int]:
    uid = user.id
    counts = _erase_posts(uid, mode, keep)
    db.session.execute(update(Announcement).where(Announcement.author_id == uid).values(author_id=None))
    db.session.execute(update(Announcement).where(Announcement.ended_by_id == uid).values(ended_by_id=None))
    db.session.execute(update(PostRevision).where(PostRevision.editor_id == uid).values(editor_id=None))
    for model, column in (
        (Reaction, Reaction.user_id), (TopicRead, TopicRead.user_id),
        (AnnouncementDismissal, AnnouncementDismissal.user_id),
    ):  # fmt: skip
        db.session.execute(delete(model).where(column == uid))
    return counts


def erase_released(user: User, *, mode: str, keep: Evidence, **_details: Any) -> dict[str, int]:
    return _erase_posts(user.id, mode, keep)


def connect() -> None:
    """From ``forum.wiring.init_app``; connecting again is a no-op (blinker keys receivers by identity)."""
    contribute_member_data(export=export_part, size=export_size, erase=erase, released=erase_released)
