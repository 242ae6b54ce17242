"""The safeguarding leads' pure predicates as a matrix: who may be a group's or the installation's lead, who may
manage them, who is on call, when a case takes its next step, and which tier may open it."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from community.auth.models import User
from community.groups.models import Group, Membership
from community.moderation.safeguarding import policy

NOW = datetime(2026, 12, 8, 12, 0)
GROUP = Group(id=1, state="active")


def _person(*, admin: bool = False, state: str = "active", user_id: int = 7) -> User:
    return User(id=user_id, is_admin=admin, state=state)


def _membership(role: str, state: str = "active", group_id: int = 1) -> Membership:
    return Membership(user_id=7, group_id=group_id, role=role, state=state)


@pytest.mark.parametrize(
    ("person", "membership", "expected"),
    [
        (_person(), _membership("professional"), True),
        (_person(), _membership("moderator"), True),
        (_person(), _membership("manager"), True),
        (_person(), _membership("member"), False),
        (_person(), _membership("professional", state="suspended"), False),
        (_person(), _membership("moderator", state="muted"), False),
        (_person(), _membership("professional", group_id=2), False),
        (_person(), None, False),
        (_person(admin=True), None, True),
        (_person(admin=True, state="suspended"), None, False),
        (_person(state="suspended"), _membership("moderator"), False),
    ],
)
def test_who_may_be_a_groups_lead(person, membership, expected):
    assert policy.can_be_group_lead(person, GROUP, membership) is expected


@pytest.mark.parametrize(
    ("person", "staff_somewhere", "expected"),
    [
        (_person(), True, True),
        (_person(), False, False),
        (_person(admin=True), False, True),
        (_person(state="deleted"), True, False),
        (None, True, False),
    ],
)
def test_who_may_be_an_installation_lead(person, staff_somewhere, expected):
    assert policy.can_be_installation_lead(person, staff_somewhere) is expected


@pytest.mark.parametrize(
    ("person", "membership", "expected"),
    [
        (_person(), _membership("manager"), True),
        (_person(), _membership("manager", state="suspended"), False),
        (_person(), _membership("moderator"), False),
        (_person(), _membership("professional"), False),
        (_person(admin=True), None, True),
    ],
)
def test_who_manages_a_groups_leads(person, membership, expected):
    assert policy.can_manage_group_leads(person, GROUP, membership) is expected
    assert policy.can_manage_installation_leads(person) is bool(person.is_admin)


def test_the_rota_period_covering_now_chooses_else_everyone():
    hour = timedelta(hours=1)
    periods = [(1, NOW - hour, NOW + hour), (2, NOW + hour, NOW + 2 * hour), (9, NOW - hour, NOW + hour)]
    assert policy.on_call([1, 2, 3], periods, NOW) == [1], "9 is not an eligible lead of this tier"
    assert policy.on_call([1, 2, 3], periods, NOW + hour) == [2], "the end is excluded, the start included"
    assert policy.on_call([1, 2, 3], periods, NOW + 3 * hour) == [1, 2, 3]
    assert policy.on_call([], periods, NOW) == []


def test_the_next_step_of_an_untaken_case():
    due, period = NOW, timedelta(minutes=30)
    assert policy.next_escalation(0, due, None, period, NOW) is None, "due, not past due"
    assert policy.next_escalation(0, due, None, period, NOW + timedelta(seconds=1)) == 1
    tier_1_at = NOW + timedelta(minutes=1)
    assert policy.next_escalation(1, due, tier_1_at, period, tier_1_at + timedelta(minutes=29)) is None
    assert policy.next_escalation(1, due, tier_1_at, period, tier_1_at + period) == 2
    assert policy.next_escalation(2, due, tier_1_at, period, NOW + timedelta(days=9)) is None


@pytest.mark.parametrize(
    ("tiers", "level", "subject_id", "expected"),
    [
        ({1}, 0, 5, False),
        ({1}, 1, 5, True),
        ({2}, 1, 5, False),
        ({2}, 2, 5, True),
        ({1, 2}, 2, 5, True),
        (set(), 2, 5, False),
        ({1}, 1, 7, False),  # a case about the lead themselves
    ],
)
def test_which_lead_may_open_an_escalated_case(tiers, level, subject_id, expected):
    assert policy.lead_may_open(_person(), tiers, level, subject_id) is expected


def test_a_rota_period_ends_after_it_starts_and_is_not_over():
    assert policy.valid_period(NOW, NOW + timedelta(hours=1), NOW)
    assert not policy.valid_period(NOW, NOW, NOW - timedelta(days=1))
    assert not policy.valid_period(NOW - timedelta(days=2), NOW - timedelta(days=1), NOW)
