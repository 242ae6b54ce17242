"""A per-process cache of rows that are read on every request or message and change rarely.

Which consent documents are in force, a group's rules document, a group's moderation settings and keyword
filters: every page view and every chat message asks, an administrator changes them a few times a year. Asking
the database each time cost a statement each (four of a page's eighteen; two of a chat message's twelve).

How it stays right:

* **Values are plain data** (tuples, frozen dataclasses), never ORM objects: a cached value is shared by
  every request and thread of the process, and an ORM object belongs to one session.
* **Writes in this process clear it at once.** ``register(namespace, *models)`` names the models a namespace
  is made from; when a transaction that wrote one of them commits, the namespace is emptied
  (``core.transaction.on_commit_batch``; a write in a savepoint that rolls back clears nothing): clearing at
  flush time would let another request reload the old rows before the commit. Code that changes those
  tables with a bulk ``UPDATE``/``DELETE`` statement calls :func:`invalidate` itself.
* **Other processes see a change within ``CONFIG_CACHE_SECONDS``** (10 by default; 0 switches the cache
  off). That is the whole staleness budget: a newly published consent version, new group rules or a new
  keyword filter reaches a second server process at most that many seconds later.

Each Flask app has its own cache (``app.extensions``), so tests never share one.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from flask import Flask, current_app, has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Session

from community.core.transaction import on_commit_batch

_EXTENSION = "kring_config_cache"
T = TypeVar("T")

# model class -> the namespaces whose values are made from its rows
_NAMESPACES_BY_MODEL: dict[type, set[str]] = {}


class ConfigCache:
    """Thread-safe: ``{namespace: {key: (expires_at, value)}}``."""

    def __init__(self, seconds: float) -> None:
        self.seconds = float(seconds)
        self._items: dict[str, dict[Hashable, tuple[float, Any]]] = {}
        self._lock = threading.Lock()

    def get_or_load(self, namespace: str, key: Hashable, load: Callable[[], T]) -> T:
        if self.seconds <= 0:
            return load()
        now = time.monotonic()
        with self._lock:
            item = self._items.get(namespace, {}).get(key)
        if item is not None and item[0] > now:
            return item[1]
        value = load()
        with self._lock:
            self._items.setdefault(namespace, {})[key] = (now + self.seconds, value)
        return value

    def invalidate(self, *namespaces: str) -> None:
        with self._lock:
            for namespace in namespaces:
                self._items.pop(namespace, None)


def config_cache(app: Flask | None = None) -> ConfigCache:
    app = app or current_app
    cache = app.extensions.get(_EXTENSION)
    if cache is None:
        cache = app.extensions[_EXTENSION] = ConfigCache(app.config.get("CONFIG_CACHE_SECONDS", 10))
    return cache


def cached(namespace: str, key: Hashable, load: Callable[[], T]) -> T:
    """The value for ``key`` in ``namespace``: from the cache while fresh, else ``load()`` (and kept)."""
    return config_cache().get_or_load(namespace, key, load)


def invalidate(*namespaces: str) -> None:
    """Forget these namespaces in this process now (after a bulk statement the ORM hooks do not see)."""
    if has_app_context():
        config_cache().invalidate(*namespaces)


def register(namespace: str, *models: type) -> None:
    """Values in ``namespace`` are made from rows of these models: a committed ORM write to one clears it."""
    for model in models:
        _NAMESPACES_BY_MODEL.setdefault(model, set()).add(namespace)


@event.listens_for(Session, "after_flush")
def _note_written_models(session: Session, _context: object) -> None:
    if not _NAMESPACES_BY_MODEL:
        return
    found: set[str] = set()
    for instance in (*session.new, *session.dirty, *session.deleted):
        found |= _NAMESPACES_BY_MODEL.get(type(instance), set())
    if found:
        on_commit_batch(_clear_committed, found, session=session)


def _clear_committed(written: list[set[str]]) -> None:
    invalidate(*set().union(*written))
