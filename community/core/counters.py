"""Where short-lived counters live (sign-in back-off, chat send rate and slow mode, conflict signals).

The rate limiter's storage (Redis with ``REDIS_URL``, so every process shares the counts), or, when rate
limiting is switched off (benchmarks, some tests), one in-memory store per app, shared by every purpose (each
keeps its keys under its own prefix).

That in-memory store is made with the app (:func:`init_app`), never on first use: a ``MemoryStorage`` starts
its expiry timer, a thread, when it is made, and under gevent starting a thread yields to the other
greenlets. Made on first use it was made in the middle of the first chat message's transaction, which then
held SQLite's write lock while every other message of a burst waited for it (``core/sqlite_gate.py``).
"""

from __future__ import annotations

from flask import Flask, current_app
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
