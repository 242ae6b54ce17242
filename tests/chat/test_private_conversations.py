"""Private conversations: with a moderator/professional of a shared group; member to member only where the group
allows it and never between an adult and a minor; moderators know they exist but do not read them."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from community.auth.models import User
from community.chat import policy
from community.chat.models import Conversation, ConversationParticipant
from community.core.time import utcnow
from community.extensions import db
from community.groups.models import Group
from tests.chat.helpers import build_world, events
from tests.factories import add_to_group, make_user, post_form

YEAR = utcnow().year  # the services read the same clock


def person(user_id: int, born: int | None, role: str = "member", state: str = "active"):
    user = SimpleNamespace(id=user_id, year_of_birth=born, state="active")
    membership = SimpleNamespace(group_id=1, role=role, state=state)
    return user, membership


ADULT, MINOR, UNKNOWN = YEAR - 36, YEAR - 14, None
# (first, second, member_messages_allowed) -> may they talk privately?
PAIR_MATRIX = [
    # with a moderator/professional of the group: always, minors included
    ((ADULT, "member"), (ADULT, "moderator"), False, True),
    ((MINOR, "member"), (ADULT, "moderator"), False, True),
    ((UNKNOWN, "member"), (ADULT, "moderator"), False, True),
    ((MINOR, "member"), (MINOR, "moderator"), True, True),
    ((ADULT, "moderator"), (ADULT, "moderator"), False, True),
    # member to member: off by default
    ((ADULT, "member"), (ADULT, "member"), False, False),
    ((MINOR, "member"), (MINOR, "member"), False, False),
    # member to member where the group allows it: same age group only
    ((ADULT, "member"), (ADULT, "member"), True, True),
    ((MINOR, "member"), (MINOR, "member"), True, True),
    ((ADULT, "member"), (MINOR, "member"), True, False),
    ((MINOR, "member"), (ADULT, "member"), True, False),
    ((ADULT, "member"), (UNKNOWN, "member"), True, False),
    ((UNKNOWN, "member"), (UNKNOWN, "member"), True, False),
    # just 18 this year is an adult; 17 this year is a minor
    ((YEAR - 18, "member"), (ADULT, "member"), True, True),
    ((YEAR - 17, "member"), (ADULT, "member"), True, False),
]


@pytest.mark.parametrize(("first", "second", "allowed", "expected"), PAIR_MATRIX)
def test_who_may_talk_privately(first, second, allowed, expected):
    group = SimpleNamespace(id=1, member_messages_allowed=allowed, state="active")
    a, a_membership = person(1, first[0], first[1])
    b, b_membership = person(2, second[0], second[1])
    assert policy.pair_may_talk_privately(group, a, a_membership, b, b_membership, YEAR) is expected
    assert policy.pair_may_talk_privately(group, b, b_membership, a, a_membership, YEAR) is expected


def test_nobody_talks_privately_with_themselves_or_with_someone_who_left_the_group():
    group = SimpleNamespace(id=1, member_messages_allowed=True, state="active")
    a, a_membership = person(1, ADULT)
    gone, gone_membership = person(2, ADULT, "moderator", state="removed")
    assert not policy.pair_may_talk_privately(group, a, a_membership, a, a_membership, YEAR)
    assert not policy.pair_may_talk_privately(group, a, a_membership, gone, gone_membership, YEAR)


def test_a_muted_moderator_does_not_open_the_way_for_member_to_member_rules():
    group = SimpleNamespace(id=1, member_messages_allowed=False, state="active")
    a, a_membership = person(1, MINOR)
    muted_mod, muted_membership = person(2, ADULT, "moderator", state="muted")
    assert not policy.pair_may_talk_privately(group, a, a_membership, muted_mod, muted_membership, YEAR)


@pytest.fixture
def world(app):
    world = build_world(app)
    yield world
    world.close()


def _start(client, world, username: str):
    path = f"/g/{world.slug}/conversations"
    return post_form(client, f"{path}/new", {"user_id": world.ids[username]}, form_page=path)


def _conversations(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Conversation).where(Conversation.kind == "private"))


def test_a_member_starts_a_conversation_with_a_moderator_and_finds_the_same_one_again(world):
    sam = world.http("sam")
    page = sam.get(f"/g/{world.slug}/conversations").get_data(as_text=True)
    assert "Youthworker" in page and "Talk privately" in page
    assert page.count('name="user_id"') == 1, "only the moderator is offered while member messages are off"
    response = _start(sam, world, "youthworker")
    assert response.status_code == 303
    conversation_id = int(response.headers["Location"].rstrip("/").split("/")[-1])
    assert response.headers["Location"].endswith(f"/conversations/{conversation_id}")
    again = _start(sam, world, "youthworker")
    assert again.headers["Location"] == response.headers["Location"]
    with world.app.app_context():
        people = db.session.scalars(
            select(ConversationParticipant.user_id).where(ConversationParticipant.conversation_id == conversation_id)
        ).all()
        assert sorted(people) == sorted([world.ids["sam"], world.ids["youthworker"]])


def test_member_to_member_is_refused_unless_the_group_allows_it(world):
    sam = world.http("sam")
    response = _start(sam, world, "noor")
    assert response.status_code == 403
    assert "possible with a moderator only" in response.get_data(as_text=True)
    assert _conversations(world.app) == 0
    with world.app.app_context():
        db.session.get(Group, world.group_id).member_messages_allowed = True
        db.session.commit()
    response = _start(sam, world, "noor")
    assert response.status_code == 403, "ages unknown: cannot be compared, so no"
    assert _conversations(world.app) == 0


def test_an_adult_and_a_minor_member_never_talk_privately_even_where_members_may(app):
    world = build_world(app)
    with app.app_context():
        group = db.session.get(Group, world.group_id)
        group.member_messages_allowed = True
        boss = db.session.get(User, world.ids["admin"])
        for username, born in (("grownup", 1985), ("youngster", YEAR - 15), ("peer", YEAR - 14)):
            user = make_user(username, year_of_birth=born)
            add_to_group(boss, group, user)
            world.ids[username] = user.id
    client = world.http("youngster")
    response = _start(client, world, "grownup")
    assert response.status_code == 403 and "adult and a young person" in response.get_data(as_text=True)
    assert _start(client, world, "peer").status_code == 303
    assert _start(client, world, "youthworker").status_code == 303, "a minor talks with a professional: the point"
    assert _conversations(app) == 2


def test_someone_outside_the_group_cannot_be_reached_and_outsiders_get_404(world):
    sam, otto = world.http("sam"), world.http("otto")
    response = post_form(
        sam,
        f"/g/{world.slug}/conversations/new",
        {"user_id": world.ids["otto"]},
        form_page=f"/g/{world.slug}/conversations",
    )
    assert response.status_code == 404
    assert otto.get(f"/g/{world.slug}/conversations").status_code == 404
    bad = post_form(
        sam, f"/g/{world.slug}/conversations/new", {"user_id": "x"}, form_page=f"/g/{world.slug}/conversations"
    )
    assert bad.status_code == 400
    assert _conversations(world.app) == 0


def test_two_participants_chat_and_the_partner_hears_about_unread_messages(world):
    response = _start(world.http("sam"), world, "youthworker")
    conversation_id = int(response.headers["Location"].split("/")[-1])
    sam, mod = world.socket("sam"), world.socket("youthworker")
    joined = sam.emit("chat:join", {"conversation_id": conversation_id}, callback=True)
    assert joined["conversation"]["kind"] == "private" and joined["conversation"]["title"] == "Youthworker"
    assert joined["conversation"]["can_write"] is True
    mod.get_received()
    ack = sam.emit(
        "chat:send",
        {"conversation_id": conversation_id, "client_id": "p1", "body": "The question I forgot"},
        callback=True,
    )
    assert ack["ok"] is True
    assert events(mod, "chat:unread") == [{"conversation_id": conversation_id, "unread": 1}]
    assert events(mod, "chat:message") == [], "not in the room until the conversation is opened"


def test_group_moderators_see_that_a_conversation_exists_but_cannot_read_it_until_reported(app):
    world = build_world(app)
    with app.app_context():
        second_mod = make_user("nurse")
        add_to_group(
            db.session.get(User, world.ids["admin"]), db.session.get(Group, world.group_id), second_mod, "moderator"
        )
    response = _start(world.http("sam"), world, "youthworker")
    conversation_id = int(response.headers["Location"].split("/")[-1])
    sam = world.socket("sam")
    sam.emit(
        "chat:send", {"conversation_id": conversation_id, "client_id": "p1", "body": "just between us"}, callback=True
    )

    nurse_http = world.http("nurse")
    overview = nurse_http.get(f"/g/{world.slug}/conversations").get_data(as_text=True)
    assert "All private conversations in this group" in overview
    assert "Sam &amp; Youthworker" in overview and "just between us" not in overview
    assert f"/conversations/{conversation_id}" not in overview, "no link to read it"
    nurse = world.socket("nurse")
    for name, payload in (
        ("chat:join", {"conversation_id": conversation_id}),
        ("chat:catch_up", {"conversation_id": conversation_id, "after_seq": 0}),
        ("chat:send", {"conversation_id": conversation_id, "client_id": "n1", "body": "hello"}),
    ):
        assert nurse.emit(name, payload, callback=True)["code"] == "not_found", name
    noor_page = world.http("noor").get(f"/g/{world.slug}/conversations").get_data(as_text=True)
    assert "All private conversations" not in noor_page and "Sam &amp; Youthworker" not in noor_page

    with app.app_context():
        db.session.get(Conversation, conversation_id).reported = True
        db.session.commit()
    joined = nurse.emit("chat:join", {"conversation_id": conversation_id}, callback=True)
    assert joined["ok"] is True and [m["body_html"] for m in joined["messages"]] == ["<p>just between us</p>\n"]
    assert joined["conversation"]["can_write"] is False, "a reader of a reported conversation does not join in"
    assert f"/conversations/{conversation_id}" in nurse_http.get(f"/g/{world.slug}/conversations").get_data(
        as_text=True
    )


def test_a_moderator_who_steps_down_closes_the_conversation_for_writing_not_for_reading(world):
    response = _start(world.http("sam"), world, "youthworker")
    conversation_id = int(response.headers["Location"].split("/")[-1])
    from community.groups.models import Membership

    with world.app.app_context():
        db.session.execute(
            Membership.__table__.update()
            .where(Membership.user_id == world.ids["youthworker"], Membership.group_id == world.group_id)
            .values(role="member")
        )
        db.session.commit()
    sam = world.socket("sam")
    joined = sam.emit("chat:join", {"conversation_id": conversation_id}, callback=True)
    assert joined["ok"] is True and joined["conversation"]["can_write"] is False
    ack = sam.emit("chat:send", {"conversation_id": conversation_id, "client_id": "p1", "body": "hi"}, callback=True)
    assert ack["code"] == "forbidden"
