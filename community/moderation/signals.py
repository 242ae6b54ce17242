"""Signals moderation sends so that higher features can react, or answer, without moderation importing them.

``matter_closed``: a report's queue item was resolved, or a safeguarding case was closed, in the current
transaction (not yet committed). Receivers work in the same transaction, so a rollback undoes them too.
Sender: ``"report"`` (keyword ``item``, the ``QueueItem``) or ``"case"`` (keyword ``case``).
Connected: ``privacy.erasure`` finishes the erasure of accounts whose evidence the matter was keeping.

``published_count``: the screening asks how far along a member is in a group (the new-member limits and the
pre-moderation of a new member's first posts). Sent with keywords ``user_id``, ``group_id``, ``limit`` and
``kinds`` (the target types to count, e.g. ``("post",)``); each receiver counts its own kind's published items
by that member in that group, at most ``limit``, and returns the number (0 when its kind is not asked).
Connected: the forum (posts) and chat (messages). See ``limits.published_count``.

``shares_place``: building the SQL test "the actor meets this person on Kring" (``safety.shares_place_with``:
who may be muted or blocked, or named in one's list). Sent with keywords ``actor_id`` and ``other`` (a SQL
expression for the other person's user id); each receiver returns one more SQL condition, OR-ed with "both read
a group". Connected: chat (a private conversation the actor reads with them).

``recent_posts``: a safeguarding case page asks for its subject's latest posts in the case's group (published or
held), for context. Sent with keywords ``group_id``, ``user_id`` and ``limit``; a receiver returns a list (newest
first, at most ``limit``) of objects with ``created_at``, ``state`` and ``body_html``. Connected: the forum.
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()
matter_closed = _signals.signal("matter-closed")
published_count = _signals.signal("published-count")
shares_place = _signals.signal("shares-place")
recent_posts = _signals.signal("recent-posts")
