"""Entry checks: what must hold, beyond being a member who may read it, before a person enters a group.

Features above groups register theirs at start-up (from their ``wiring``); consent registers the group's rules.
A check raises a ``Forbidden`` subclass that says what to do first (its error handler may send the member to
the page where they can do it). ``check_entry`` runs the account checks (``auth.access_checks``: consent's
required documents) and then every group check, so the read services (``groups.services.open_group``, the
forum's topic page, chat's ``open_conversation``) and the socket's group rooms ask the same thing once.

``skip`` names checks the caller's page itself satisfies: the rules page (where the rules are accepted) skips
``RULES_CHECK``, and nothing else skips any check.
"""

from __future__ import annotations

from collections.abc import Callable, Collection

from community.auth import access_checks
from community.auth.models import User
from community.core.errors import Forbidden
from community.groups.models import Group, Membership

EntryCheck = Callable[[User, Group, Membership | None], None]

RULES_CHECK = "group_rules"  # consent: the group's current rules are accepted

_checks: dict[str, EntryCheck] = {}


def register(name: str, check: EntryCheck) -> None:
    """Add (or replace: every app made in one process registers again) the check called ``name``."""
    _checks[name] = check


def check_entry(user: User, group: Group, membership: Membership | None, *, skip: Collection[str] = ()) -> None:
    """Raise the first refusal of the account checks, then of the group checks, not counting those in ``skip``."""
    access_checks.check_account(user, skip=skip)
    for name, check in list(_checks.items()):
        if name not in skip:
            check(user, group, membership)


def may_enter(user: User, group: Group, membership: Membership | None, *, skip: Collection[str] = ()) -> bool:
    """The same as a boolean, for socket events (which answer "not found" rather than redirect)."""
    try:
        check_entry(user, group, membership, skip=skip)
    except Forbidden:
        return False
    return True
