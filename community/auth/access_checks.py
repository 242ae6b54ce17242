"""Account checks: what must hold, beyond being signed in, before a member uses the groups and live updates.

Features above auth register theirs at start-up (from their ``wiring``); consent registers one (the required
documents are agreed to and no guardian's confirmation is awaited). A check raises a ``Forbidden`` subclass
that says what to do first. The socket's ``connect`` asks ``account_open``; entering a group
(``groups.entry_checks``) runs these before the group's own checks.
"""

from __future__ import annotations

from collections.abc import Callable, Collection

from community.auth.models import User
from community.core.errors import Forbidden

AccountCheck = Callable[[User], None]

_checks: dict[str, AccountCheck] = {}


def register(name: str, check: AccountCheck) -> None:
    """Add (or replace: every app made in one process registers again) the check called ``name``."""
    _checks[name] = check


def check_account(user: User, *, skip: Collection[str] = ()) -> None:
    """Raise the first refusal among the registered checks, not counting those named in ``skip``."""
    for name, check in list(_checks.items()):
        if name not in skip:
            check(user)


def account_open(user: User) -> bool:
    """The same as a boolean: no live access while a check refuses."""
    try:
        check_account(user)
    except Forbidden:
        return False
    return True
