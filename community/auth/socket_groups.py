"""The groups whose rooms a member's socket joins on connect (``auth.events``). Which groups a member reads is
groups' concept, a higher feature than auth: groups registers its source from its wiring. Until one is
registered, a socket joins no group room."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Protocol

from community.auth.models import User


class GroupAccessLike(Protocol):
    """What the connect handler reads of each group (``groups.services.GroupAccess``)."""

    group: Any
    membership: Any


Source = Callable[[User], Sequence[GroupAccessLike]]
_sources: list[Source] = []


def register(source: Source) -> None:
    """The one source of a member's readable groups; a later call replaces it (each app start-up calls it)."""
    _sources[:] = [source]


def readable_groups(user: User) -> Sequence[GroupAccessLike]:
    """The groups ``user`` can read, with their membership: one query, from the registered source."""
    return _sources[0](user) if _sources else ()
