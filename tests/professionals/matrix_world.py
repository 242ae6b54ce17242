"""What the authorization matrix (tests/auth/test_authorization_matrix.py) needs of the professionals feature:
approved profiles for the group's moderator and the other group's moderator, an open request from the member
to the moderator, a question from the member to the group's team, and a specialty."""

from __future__ import annotations

from community.auth.models import User
from community.groups.models import Group
from community.groups.services import open_group
from community.professionals import profiles, questions, requests, review


def add_professionals(people: dict[str, User], group: Group) -> dict[str, int]:
    admin = people["admin"]
    specialty = review.add_specialty(admin, "Sleep")
    made = {}
    for role in ("moderator", "other_moderator"):
        profile = profiles.save_profile(
            people[role], public_name=f"Pro {role}", role_title="Nurse", organisation="", intro="Hello",
            languages=["en"], allowed_languages=["en"], specialty_ids=[specialty.id],
        )  # fmt: skip
        profile.availability = [[day, "00:00", "23:59"] for day in range(7)]
        review.approve_profile(admin, profile.id)
        made[role] = profile
    request = requests.send_request(people["member"], made["moderator"].id, group_id=None, message="Hi").request
    question = questions.ask(
        people["member"], open_group(people["member"], group.slug), body="A question", email_me=False,
        client_token="matrix-question",
    ).question  # fmt: skip
    return {
        "pro_profile": made["moderator"].id, "other_pro_profile": made["other_moderator"].id,
        "pro_request": request.id, "pro_question": question.id, "specialty": specialty.id,
    }  # fmt: skip
