"""The cache behind topic pages: rendered posts, kept per topic *version*, and the version itself.

``topics.version`` goes up in the same transaction as every change that shows on a topic's posts: a new,
edited, held, approved or removed post, a reaction, an image, a new title or pin. The cache key carries the
version read from the topic row the page loads anyway, so a cached page can never outlive a change, in this
process or in another one: after a change the key is new and the old entry is simply never asked for again.

Changes made through the ORM (``post.state = "removed"`` in moderation, a new ``Reaction``) bump the version by
themselves (the ``after_flush`` hook below). Code that changes posts or reactions with a bulk ``UPDATE`` or
``DELETE`` statement calls :func:`touch_topics` in the same transaction.

The store is a small in-process LRU with a time limit (``FORUM_PAGE_CACHE_ENTRIES``,
``FORUM_PAGE_CACHE_SECONDS``). Each process keeps its own; none needs to tell the others anything, because the
key changes with the data. The time limit bounds what no version covers: a writer's new display name, or an
erased account's name turning into "former member", shows on cached pages within that time.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Hashable, Iterable
from typing import Any

from flask import Flask, current_app
from sqlalchemy import event, select, update
from sqlalchemy.orm import Session

from community.attachments.models import Attachment
from community.forum.models import Post, Topic
from community.reactions.models import Reaction

_EXTENSION = "kring_forum_page_cache"


class PageCache:
    """A thread-safe LRU of rendered fragments with a time limit per entry."""

    def __init__(self, entries: int, seconds: float) -> None:
        self.entries, self.seconds = max(int(entries), 0), float(seconds)
        self._items: OrderedDict[Hashable, tuple[float, Any]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> Any | None:
        with self._lock:
            item = self._items.get(key)
            if item is None:
                return None
            if item[0] < time.monotonic():
                del self._items[key]
                return None
            self._items.move_to_end(key)
            return item[1]

    def put(self, key: Hashable, value: Any) -> None:
        if not self.entries:
            return
        with self._lock:
            self._items[key] = (time.monotonic() + self.seconds, value)
            self._items.move_to_end(key)
            while len(self._items) > self.entries:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()

    def __len__(self) -> int:
        return len(self._items)


def page_cache(app: Flask | None = None) -> PageCache:
    """This app's cache (made on first use, from the app's settings)."""
    app = app or current_app
    cache = app.extensions.get(_EXTENSION)
    if cache is None:
        cache = app.extensions[_EXTENSION] = PageCache(
            app.config.get("FORUM_PAGE_CACHE_ENTRIES", 512), app.config.get("FORUM_PAGE_CACHE_SECONDS", 120)
        )
    return cache


def touch_topics(session: Session, *, topic_ids: Iterable[int] = (), post_ids: Iterable[int] = ()) -> None:
    """Bump the version of these topics, and of the topics of these posts, in the session's transaction."""
    topics, posts = {int(i) for i in topic_ids if i}, {int(i) for i in post_ids if i}
    connection = session.connection()
    if posts:
        topics |= set(connection.scalars(select(Post.topic_id).where(Post.id.in_(sorted(posts)))))
    if topics:
        connection.execute(
            update(Topic.__table__).where(Topic.id.in_(sorted(topics))).values(version=Topic.__table__.c.version + 1)
        )


@event.listens_for(Session, "after_flush")
def _bump_changed_topics(session: Session, _context: object) -> None:
    """Whatever the ORM just wrote about posts, reactions, images or topics makes their topic's pages new."""
    topic_ids: set[int] = set()
    post_ids: set[int] = set()
    for instance in (*session.new, *session.dirty, *session.deleted):
        if isinstance(instance, Post):
            topic_ids.add(instance.topic_id)
        elif isinstance(instance, (Reaction, Attachment)) and instance.post_id:
            post_ids.add(instance.post_id)
        elif isinstance(instance, Topic) and instance not in session.new:
            topic_ids.add(instance.id)
    if topic_ids or post_ids:
        touch_topics(session, topic_ids=topic_ids, post_ids=post_ids)


def touch_topics_of_member(session: Session, user_id: int) -> None:
    """Bump every topic where this member wrote or reacted (their name shows there): for account erasure,
    which rewrites posts and reactions with bulk statements. Call it before the member's rows change."""
    written = select(Post.topic_id).where(Post.author_id == user_id)
    reacted = select(Post.topic_id).join(Reaction, Reaction.post_id == Post.id).where(Reaction.user_id == user_id)
    session.connection().execute(
        update(Topic.__table__)
        .where(Topic.id.in_(written.union(reacted).scalar_subquery()))
        .values(version=Topic.__table__.c.version + 1)
    )
