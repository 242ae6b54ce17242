"""Where short-lived counters live (sign-in back-off, chat send rate and slow mode, conflict signals).

The rate limiter's storage (Redis with ``REDIS_URL``, so every process shares the counts), or, when rate
limiting is switched off (benchmarks, some tests), one in-memory store per app and purpose.
"""

from __future__ import annotations

from flask import current_app
from limits.storage import MemoryStorage, Storage

from community.extensions import limiter


def counter_storage(purpose: str) -> Storage:
    storage = getattr(limiter, "_storage", None) if limiter.enabled else None
    if storage is not None:
        return storage
    key = f"kring_{purpose}_storage"
    storage = current_app.extensions.get(key)
    if storage is None:  # made once: a MemoryStorage starts its own expiry timer
        storage = current_app.extensions[key] = MemoryStorage()
    return storage
