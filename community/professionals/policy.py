"""Who may do what with professionals' profiles, requests and questions. Pure predicates: plain values in, a
bool out, no Flask globals, no queries. The services load the rows and the group ids once and pass them in.

* A professional is an active account that is an active moderator of at least one group ("the groups they
  work in"); only they have a profile.
* Members see only approved profiles of professionals working in one of their own groups; the professional
  sees their own profile in every state; admins see every profile (to approve it) and manage specialties.
* A request is seen by the member who sent it and the professional it is addressed to.
* A question is seen by the member who asked it and the professionals of its group.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date

from community.auth.models import User
from community.groups import policy as groups_policy
from community.professionals.availability import is_away
from community.professionals.models import ProfessionalProfile, ProfessionalQuestion, ProfessionalRequest


def is_professional(user: User | None, care_group_ids: Collection[int]) -> bool:
    return groups_policy.is_active_account(user) and bool(care_group_ids)


def can_manage_profiles(user: User | None) -> bool:
    """Approve or reject profiles, and keep the list of specialties: instance admins."""
    return groups_policy.can_manage_groups(user)


def can_edit_own_profile(user: User | None, care_group_ids: Collection[int]) -> bool:
    return is_professional(user, care_group_ids)


def can_see_profile(
    viewer: User | None,
    profile: ProfessionalProfile,
    viewer_group_ids: Collection[int],
    professional_group_ids: Collection[int],
) -> bool:
    """Its owner and admins always; anyone else only an approved profile of someone working in (at least) one
    of the viewer's groups."""
    if not groups_policy.is_active_account(viewer) or viewer is None:
        return False
    if viewer.id == profile.user_id or can_manage_profiles(viewer):
        return True
    return profile.state == "approved" and bool(set(viewer_group_ids) & set(professional_group_ids))


def is_listed(profile: ProfessionalProfile, professional_active: bool) -> bool:
    """Shown in the members' list: approved, and the professional's account is active."""
    return profile.state == "approved" and professional_active


def takes_requests(profile: ProfessionalProfile, today: date) -> bool:
    """Approved, not paused, and not away."""
    return profile.state == "approved" and not profile.paused and not is_away(profile.away_until, today)


def can_request(
    member: User | None,
    profile: ProfessionalProfile,
    shared_writable_group_ids: Collection[int],
    today: date,
) -> bool:
    """Ask this professional for a private conversation: someone else, in a group they share where the member
    may write, while the professional takes requests."""
    return (
        groups_policy.is_active_account(member)
        and member is not None
        and member.id != profile.user_id
        and bool(shared_writable_group_ids)
        and takes_requests(profile, today)
    )


def can_see_request(user: User | None, request: ProfessionalRequest) -> bool:
    return (
        groups_policy.is_active_account(user)
        and user is not None
        and user.id in (request.member_id, request.professional_id)
    )


def can_decide_request(user: User | None, request: ProfessionalRequest, care_group_ids: Collection[int]) -> bool:
    """Accept or decline: the professional it is addressed to, still working in the request's group."""
    return (
        can_see_request(user, request)
        and user is not None
        and user.id == request.professional_id
        and request.state == "open"
        and request.group_id in care_group_ids
    )


def can_withdraw_request(user: User | None, request: ProfessionalRequest) -> bool:
    return (
        can_see_request(user, request)
        and user is not None
        and user.id == request.member_id
        and (request.state == "open")
    )


def can_ask_team(user: User | None, writable_group_ids: Collection[int], group_id: int, team_size: int) -> bool:
    """Ask a group's professionals a question: someone who may write in the group, which has a team."""
    return groups_policy.is_active_account(user) and group_id in writable_group_ids and team_size > 0


def can_see_question(
    user: User | None, question: ProfessionalQuestion, care_group_ids: Collection[int], reading_group_ids
) -> bool:
    """The member who asked (while they still read the group) and the group's professionals."""
    if not groups_policy.is_active_account(user) or user is None:
        return False
    if question.group_id in care_group_ids:
        return True
    return question.member_id == user.id and question.group_id in reading_group_ids


def can_claim_question(user: User | None, question: ProfessionalQuestion, care_group_ids: Collection[int]) -> bool:
    return (
        groups_policy.is_active_account(user) and question.group_id in care_group_ids and question.status == "waiting"
    )


def can_answer_question(user: User | None, question: ProfessionalQuestion, care_group_ids: Collection[int]) -> bool:
    """Only the professional who picked it up (still working in the group) answers it, once."""
    return (
        groups_policy.is_active_account(user)
        and user is not None
        and question.group_id in care_group_ids
        and question.status == "taken"
        and question.claimed_by_id == user.id
    )
