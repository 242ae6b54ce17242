"""Where short-lived counters live (sign-in back-off, chat send rate and slow mode, conflict signals), and
Flask-Limiter's own limits counted outside an HTTP request (a Socket.IO event).

The rate limiter's storage (Redis with ``REDIS_URL``, so every process shares the counts), or, when rate
limiting is switched off (benchmarks, some tests), one in-memory store per app, shared by every purpose (each
keeps its keys under its own prefix).

That in-memory store is made with the app (:func:`init_app`), never on first use: a ``MemoryStorage`` starts
its expiry timer, a thread, when it is made, and under gevent starting a thread yields to the other
greenlets. Made on first use it was made in the middle of the first chat message's transaction, which then
held SQLite's write lock while every other message of a burst waited for it (``core/sqlite_gate.py``).
"""

from __future__ import annotations

import math
import time

from flask import Flask, current_app
from limits import parse_many
from limits.storage import MemoryStorage, Storage

from community.extensions import limiter

_EXTENSION = "kring_counter_storage"


def init_app(app: Flask) -> None:
    app.extensions[_EXTENSION] = MemoryStorage()


def counter_storage(purpose: str) -> Storage:
    """The store for ``purpose``'s counters (the name says who asks; the keys keep the purposes apart)."""
    storage = getattr(limiter, "_storage", None) if limiter.enabled else None
    if storage is not None:
        return storage
    return current_app.extensions[_EXTENSION]


def hit_shared_limit(rate: str, key: str, scope: str) -> int:
    """Count one use of a Flask-Limiter *shared* limit (``limiter.shared_limit(rate, scope=scope)`` with a
    ``key_func`` answering ``key``) from outside an HTTP request, in the same bucket, with the limiter's own
    strategy and storage: a socket event and a page then draw on one allowance. 0 when allowed, otherwise the
    seconds until the next use is allowed. Nothing is counted while rate limiting is switched off."""
    if not limiter.enabled:
        return 0
    prefix = [limiter._key_prefix] if limiter._key_prefix else []  # the limiter's own key layout
    identifiers = [*prefix, key, scope]
    for item in sorted(parse_many(rate)):  # smallest window first, stopping at the first refusal, as on a page
        if not limiter.limiter.hit(item, *identifiers):
            reset = limiter.limiter.get_window_stats(item, *identifiers).reset_time
            return max(math.ceil(reset - time.time()), 1)
    return 0
