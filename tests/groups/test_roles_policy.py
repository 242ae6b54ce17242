"""Every group role against every predicate that reads it: a table per concern, role by role.

member < professional (care staff, does not moderate) < moderator (moderates) < manager (moderates, invites, edits
the group's settings and rules). Instance admins hold no role; they are a flag on the account.
"""

from __future__ import annotations

import pytest

from community.auth import policy as auth_policy
from community.auth.models import User
from community.chat import policy as chat_policy
from community.consent import policy as consent_policy
from community.groups import policy
from community.groups.models import ROLES, Group, Membership
from community.moderation import policy as moderation_policy


def group(*, moderators_can_invite: bool = True, state: str = "active") -> Group:
    return Group(id=1, name="G", slug="g", state=state, moderators_can_invite=moderators_can_invite)


def membership(role: str, state: str = "active") -> Membership:
    return Membership(group_id=1, user_id=1, role=role, state=state)


def user(*, admin: bool = False, state: str = "active") -> User:
    return User(id=1, state=state, is_admin=admin)


def test_the_roles_are_the_four_of_the_domain():
    assert ROLES == ("member", "professional", "moderator", "manager")
    assert policy.MODERATING_ROLES == ("moderator", "manager")
    assert policy.CARE_ROLES == ("professional", "moderator", "manager")
    assert auth_policy.STAFF_ROLES == policy.CARE_ROLES, "auth keeps its own copy (it sits below groups)"


@pytest.mark.parametrize("role", [*ROLES, "king", "", None])
def test_only_the_four_roles_are_known(role):
    assert policy.is_known_role(role) is (role in ROLES)


#   role            moderates  manages  care staff  staff (2FA)  acting staff in chat
ROLE_TABLE = [
    ("member",       False,     False,   False,      False,       False),
    ("professional", False,     False,   True,       True,        True),
    ("moderator",    True,      False,   True,       True,        True),
    ("manager",      True,      True,    True,       True,        True),
]  # fmt: skip


@pytest.mark.parametrize(("role", "moderates", "manages", "care", "staff", "chat_staff"), ROLE_TABLE)
def test_what_each_role_is(role, moderates, manages, care, staff, chat_staff):
    actor, mine = user(), membership(role)
    assert policy.can_view_group(actor, group(), mine) and policy.can_write_in_group(actor, group(), mine)
    assert policy.is_group_moderator(actor, group(), mine) is moderates
    assert moderation_policy.can_moderate(actor, group(), mine) is moderates
    assert policy.is_group_manager(actor, group(), mine) is manages
    assert policy.is_care_staff(actor, group(), mine) is care
    assert auth_policy.is_staff(actor, [mine]) is staff
    assert chat_policy.is_staff_in(mine) is chat_staff
    assert chat_policy.is_staff_in(membership(role, "muted")) is False, "a muted one does not act as staff"


@pytest.mark.parametrize("role", ROLES)
def test_a_removed_or_suspended_membership_holds_no_powers(role):
    for state in ("suspended", "removed"):
        mine = membership(role, state)
        assert not policy.is_group_moderator(user(), group(), mine)
        assert not policy.is_group_manager(user(), group(), mine)
        assert not policy.is_care_staff(user(), group(), mine)
        assert not policy.can_invite(user(), group(), mine)
        assert not policy.can_edit_group(user(), group(), mine)


#   role            invites (setting on)  invites (setting off)  may invite as
INVITE_TABLE = [
    ("member",       False,                False,                 ()),
    ("professional", False,                False,                 ()),
    ("moderator",    True,                 False,                 ("member",)),
    ("manager",      True,                 True,                  ("member", "professional")),
]  # fmt: skip


@pytest.mark.parametrize(("role", "invites_on", "invites_off", "as_roles"), INVITE_TABLE)
def test_who_invites_whom(role, invites_on, invites_off, as_roles):
    mine = membership(role)
    assert policy.can_invite(user(), group(moderators_can_invite=True), mine) is invites_on
    assert policy.can_invite(user(), group(moderators_can_invite=False), mine) is invites_off
    assert policy.invitable_roles(user(), group(), mine) == as_roles
    for wanted in ROLES:
        assert policy.can_invite_as(user(), group(), mine, wanted) is (wanted in as_roles)
    assert not policy.can_invite(user(), group(state="archived"), mine), "never into an archived group"


def test_an_admin_invites_as_any_role_and_nobody_as_an_unknown_one():
    admin = user(admin=True)
    assert policy.invitable_roles(admin, group(), None) == ROLES
    assert not policy.can_invite_as(admin, group(), None, "king")
    assert policy.invitable_roles(user(state="suspended"), group(), membership("manager")) == ()


@pytest.mark.parametrize(("role", "edits"), [("member", False), ("professional", False), ("moderator", False),
                                             ("manager", True)])  # fmt: skip
def test_the_manager_edits_the_group_but_not_its_kind(role, edits):
    assert policy.can_edit_group(user(), group(), membership(role)) is edits
    assert policy.can_edit_group(user(), group(state="archived"), membership(role)) is False
    assert policy.can_edit_group(user(), group(), membership(role, "muted")) is False
    assert policy.can_set_kind(user()) is False
    assert policy.can_edit_group(user(admin=True), group(), None) and policy.can_set_kind(user(admin=True))


@pytest.mark.parametrize(("role", "writes_rules", "accepts_rules", "sanctionable"), [
    ("member", False, True, True),
    ("professional", False, True, True),
    ("moderator", True, False, False),
    ("manager", True, False, False),
])  # fmt: skip
def test_rules_and_sanctions_by_role(role, writes_rules, accepts_rules, sanctionable):
    mine = membership(role)
    assert consent_policy.can_write_group_rules(user(), group(), mine) is writes_rules
    assert consent_policy.needs_group_rules(mine, 1) is accepts_rules
    moderator = User(id=2, state="active", is_admin=False)
    assert moderation_policy.can_sanction(moderator, user(), mine) is sanctionable


def test_only_an_admin_changes_roles():
    for role in ROLES:
        assert not policy.can_change_membership(user(), group(), membership(role))
    assert policy.can_change_membership(user(admin=True), group(), membership("manager"))
