"""The professionals' policy as a table of pure predicates: plain values in, a bool out."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import pytest

from community.professionals import policy

TODAY = date(2025, 3, 12)


def user(user_id: int, *, admin: bool = False, state: str = "active"):
    return SimpleNamespace(id=user_id, is_admin=admin, state=state)


def profile(owner: int = 10, *, state: str = "approved", paused: bool = False, away_until=None):
    return SimpleNamespace(user_id=owner, state=state, paused=paused, away_until=away_until)


@pytest.mark.parametrize(
    ("viewer", "the_profile", "viewer_groups", "works_in", "expected"),
    [
        (user(1), profile(), {1}, {1, 2}, True),  # a member of one of the professional's groups
        (user(1), profile(), {3}, {1, 2}, False),  # a member of another group
        (user(1), profile(state="pending"), {1}, {1}, False),  # not approved yet
        (user(1), profile(state="rejected"), {1}, {1}, False),
        (user(10), profile(state="pending"), set(), {1}, True),  # the owner, in any state
        (user(99, admin=True), profile(state="pending"), set(), {1}, True),  # an admin, to approve it
        (user(1, state="suspended"), profile(), {1}, {1}, False),
        (None, profile(), {1}, {1}, False),
    ],
)
def test_who_sees_a_profile(viewer, the_profile, viewer_groups, works_in, expected):
    assert policy.can_see_profile(viewer, the_profile, viewer_groups, works_in) is expected


@pytest.mark.parametrize(
    ("member", "the_profile", "shared", "expected"),
    [
        (user(1), profile(), {1}, True),
        (user(1), profile(), set(), False),  # no group in common where the member may write
        (user(10), profile(), {1}, False),  # oneself
        (user(1), profile(paused=True), {1}, False),
        (user(1), profile(away_until=TODAY), {1}, False),  # away until today: back tomorrow
        (user(1), profile(away_until=date(2025, 3, 11)), {1}, True),  # was away until yesterday
        (user(1), profile(state="pending"), {1}, False),
        (user(1, state="paused"), profile(), {1}, False),
    ],
)
def test_who_may_send_a_request(member, the_profile, shared, expected):
    assert policy.can_request(member, the_profile, shared, TODAY) is expected


def request(state: str = "open", member: int = 1, professional: int = 10, group: int = 1):
    return SimpleNamespace(state=state, member_id=member, professional_id=professional, group_id=group)


def test_requests_are_seen_and_decided_by_their_two_people_only():
    assert policy.can_see_request(user(1), request()) and policy.can_see_request(user(10), request())
    assert not policy.can_see_request(user(2), request())
    assert not policy.can_see_request(user(99, admin=True), request())
    assert policy.can_decide_request(user(10), request(), {1})
    assert not policy.can_decide_request(user(10), request(), {2})  # no longer works in the request's group
    assert not policy.can_decide_request(user(10), request("declined"), {1})
    assert not policy.can_decide_request(user(1), request(), {1})
    assert policy.can_withdraw_request(user(1), request())
    assert not policy.can_withdraw_request(user(10), request())
    assert not policy.can_withdraw_request(user(1), request("accepted"))


def question(status: str = "waiting", group: int = 1, member: int = 1, claimed_by=None):
    return SimpleNamespace(status=status, group_id=group, member_id=member, claimed_by_id=claimed_by)


def test_questions_belong_to_their_member_and_their_groups_team():
    assert policy.can_see_question(user(1), question(), set(), {1})  # the member who asked, still in the group
    assert not policy.can_see_question(user(1), question(), set(), set())  # who left the group
    assert not policy.can_see_question(user(2), question(), set(), {1})  # another member of the group
    assert policy.can_see_question(user(10), question(), {1}, {1})  # the group's professional
    assert not policy.can_see_question(user(11), question(), {2}, {2})  # a professional of another group
    assert not policy.can_see_question(user(99, admin=True), question(), set(), set())
    assert policy.can_claim_question(user(10), question(), {1})
    assert not policy.can_claim_question(user(10), question("taken", claimed_by=11), {1})
    assert not policy.can_claim_question(user(1), question(), set())
    assert policy.can_answer_question(user(10), question("taken", claimed_by=10), {1})
    assert not policy.can_answer_question(user(11), question("taken", claimed_by=10), {1})
    assert not policy.can_answer_question(user(10), question("answered", claimed_by=10), {1})


def test_only_admins_manage_profiles_and_only_professionals_have_one():
    assert policy.can_manage_profiles(user(99, admin=True))
    assert not policy.can_manage_profiles(user(10))
    assert policy.can_edit_own_profile(user(10), {1})
    assert not policy.can_edit_own_profile(user(1), set())
    assert not policy.can_edit_own_profile(user(10, state="suspended"), {1})
