"""Per-member values that every page shows, read with the session lookup instead of a statement each.

A page asks the database first who is signed in (``auth.sessions.user_for_token``). Values that depend only
on that member (the unread-notifications badge, whose posts collapse for them) are added to that same
statement as correlated scalar subqueries, so a page costs one statement for all of them: each statement is
about half a millisecond of Python time (SQLAlchemy, psycopg), more than PostgreSQL spends answering it.

A feature registers its value once, at import time::

    page_preloads.register("unread_notifications", lambda user_id: <scalar subquery on user_id>, parse=int)

and reads it with ``page_preloads.get(user, name)``, which gives ``MISSING`` when the value was not preloaded
(a socket event, a registration after the statement was built, a value forgotten after a change); the feature
then runs its own query, so a missing preload costs a statement, never a wrong answer. A request that changes
a value calls ``forget`` so that the rest of the request reads it fresh.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import g, has_request_context
from sqlalchemy import ColumnElement

MISSING: Any = object()
SubqueryBuilder = Callable[[ColumnElement[int]], ColumnElement[Any]]  # the member's id column -> a scalar subquery


@dataclass(frozen=True)
class Preload:
    name: str
    build: SubqueryBuilder
    parse: Callable[[Any], Any]  # the database's value -> what callers get (None stays as parse(None))


_registry: dict[str, Preload] = {}


def register(name: str, build: SubqueryBuilder, *, parse: Callable[[Any], Any]) -> None:
    """Add a value to the session lookup. Call at import time, before the first request builds the statement."""
    _registry[name] = Preload(name, build, parse)


def registered() -> tuple[Preload, ...]:
    """In a fixed order: the session statement selects them as extra columns, in this order."""
    return tuple(_registry[name] for name in sorted(_registry))


def remember(user_id: int, preloads: tuple[Preload, ...], values: tuple[Any, ...]) -> None:
    """Keep this request's values for the member the session lookup found."""
    if has_request_context():
        g.kring_page_preloads = (user_id, {p.name: p.parse(v) for p, v in zip(preloads, values, strict=True)})


def get(user: Any, name: str) -> Any:
    """The preloaded value for ``user``, or ``MISSING``."""
    if not has_request_context():
        return MISSING
    stored = g.get("kring_page_preloads")
    if stored is None or user is None or stored[0] != getattr(user, "id", None):
        return MISSING
    return stored[1].get(name, MISSING)


def keep(user: Any, name: str, value: Any) -> None:
    """A value read the slow way in this request, kept like a preload: later reads in the request find it, and
    ``forget`` drops it when the value changes."""
    if not has_request_context():
        return
    user_id = user if isinstance(user, int) else getattr(user, "id", None)
    stored = g.get("kring_page_preloads")
    if stored is None:
        stored = g.kring_page_preloads = (user_id, {})
    if stored[0] == user_id:
        stored[1][name] = value


def forget(user: Any, name: str) -> None:
    """The value changed in this request: later reads in it query again. ``user``: the member or their id."""
    stored = g.get("kring_page_preloads") if has_request_context() else None
    user_id = user if isinstance(user, int) else getattr(user, "id", None)
    if stored is not None and stored[0] == user_id:
        stored[1].pop(name, None)


def id_set(text: str | None) -> frozenset[int]:
    """Parse an aggregated "3,17,42" (``aggregate_strings`` of ids) into ids."""
    return frozenset(int(part) for part in text.split(",") if part) if text else frozenset()
