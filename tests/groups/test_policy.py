"""The group predicates as a matrix: account state x membership state x role."""

from __future__ import annotations

import pytest

from community.auth.models import User
from community.groups import policy
from community.groups.models import Group, Membership

GROUP = Group(id=1, name="G", slug="g", state="active")
OTHER_GROUP = Group(id=2, name="H", slug="h", state="active")


def member(state="active", role="member", group_id=1) -> Membership:
    return Membership(group_id=group_id, user_id=1, state=state, role=role)


def user(state="active", admin=False) -> User:
    return User(id=1, state=state, is_admin=admin)


@pytest.mark.parametrize(
    ("account", "membership", "view", "write", "moderate"),
    [
        (user(), member(), True, True, False),
        (user(), member(role="moderator"), True, True, True),
        (user(), member(state="muted"), True, False, False),
        (user(), member(state="suspended"), False, False, False),
        (user(), member(state="removed"), False, False, False),
        (user(), None, False, False, False),
        (user(admin=True), None, False, False, False),
        (user(), member(group_id=2), False, False, False),
        (user(state="suspended"), member(), False, False, False),
        (user(state="paused"), member(), False, False, False),
        (None, None, False, False, False),
    ],
)
def test_group_permissions(account, membership, view, write, moderate):
    assert policy.can_view_group(account, GROUP, membership) is view
    assert policy.can_write_in_group(account, GROUP, membership) is write
    assert policy.is_group_moderator(account, GROUP, membership) is moderate


def test_nobody_writes_in_an_archived_group():
    archived = Group(id=1, name="G", slug="g", state="archived")
    assert policy.can_view_group(user(), archived, member()) is True
    assert policy.can_write_in_group(user(), archived, member()) is False


def test_only_active_admins_manage_groups():
    assert policy.can_manage_groups(user(admin=True)) is True
    assert policy.can_manage_groups(user(admin=True, state="suspended")) is False
    assert policy.can_manage_groups(user()) is False
    assert policy.can_manage_groups(None) is False
