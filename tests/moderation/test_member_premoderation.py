"""New-member pre-moderation covers chat, and a group's moderators keep one member under pre-moderation or
release them early, from the member's moderation page (audited with the reason; the member is not told).
Bad input: no reason, an unknown choice, the same choice again, a moderator as the subject, someone not in the
group, a member or another group's moderator asking."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from sqlalchemy import select

from community.auth.models import User
from community.core.audit import AuditEntry
from community.extensions import db
from community.forum import writing as forum
from community.groups import services as groups
from community.groups.models import Group, Membership
from community.moderation import actions
from community.moderation.models import MemberPremoderation, QueueItem
from community.notifications.models import Notification
from community.privacy.models import DataExport
from tests.chat.helpers import build_world, events, send
from tests.factories import add_to_group, make_user, post_form


@pytest.fixture
def world(app):
    world = build_world(app, premoderation="new_members")
    yield world
    world.close()


@pytest.fixture
def open_world(app):
    world = build_world(app)  # no pre-moderation
    yield world
    world.close()


def _join(world, *sockets):
    for socket in sockets:
        assert socket.emit("chat:join", {"conversation_id": world.room_id}, callback=True)["ok"]


def _notes(world, username: str = "sam") -> str:
    return f"/moderation/notes/{world.group_id}/{world.ids[username]}"


def _choose(client, world, choice: str, reason: str = "Checked their first week", username: str = "sam"):
    return post_form(
        client, f"{_notes(world, username)}/premoderation", {"choice": choice, "reason": reason},
        form_page=_notes(world, username),
    )  # fmt: skip


def _audit(world, prefix: str = "moderation.premoderation_") -> list[tuple[str, str, dict]]:
    with world.app.app_context():
        rows = db.session.scalars(
            select(AuditEntry).where(AuditEntry.action.startswith(prefix)).order_by(AuditEntry.id)
        )
        return [(row.action, row.reason, row.details) for row in rows]


def _topic_state(world, username: str = "sam") -> str:
    with world.app.app_context():
        user = db.session.get(User, world.ids[username])
        created = forum.create_topic(user, groups.open_group(user, world.slug), title="A question", body="Hello all")
        db.session.commit()
        return created.post.state


def _held_item(world, message_id: int) -> int:
    with world.app.app_context():
        return db.session.scalar(
            select(QueueItem.id).where(QueueItem.target_type == "message", QueueItem.target_id == message_id)
        )


def _act(world, item_id: int, action: str, reason: str = "") -> None:
    with world.app.app_context():
        moderator = db.session.get(User, world.ids["youthworker"])
        actions.act_on_item(moderator, item_id, action, reason=reason)
        db.session.commit()


# --- new-member pre-moderation covers chat ---------------------------------------------------------------------


def test_a_new_members_chat_message_is_held_then_approved_live_with_its_place_in_the_room(world):
    sam, noor, mod = world.socket("sam"), world.socket("noor"), world.socket("youthworker")
    _join(world, sam, noor, mod)
    with world.app.app_context():  # noor is no longer new: a moderator released her
        noor_membership = groups.memberships_of(db.session.get(User, world.ids["noor"]))[0].membership
        db.session.add(MemberPremoderation(membership_id=noor_membership.id, mode="released"))
        db.session.commit()
    ack = send(sam, world, "Hi everyone, I am new here", "new-1")
    assert ack["ok"] is True and ack["message"]["state"] == "held", "the writer sees it waiting"
    assert events(noor, "chat:message") == [] and events(mod, "chat:message") == []
    assert send(noor, world, "Welcome!", "noor-1")["message"]["seq"] == 2, "the held message keeps seq 1"
    noor.get_received()
    item_id = _held_item(world, ack["message"]["id"])
    assert item_id is not None
    _act(world, item_id, "approve")
    [live] = events(noor, "chat:message")
    assert (live["message"]["id"], live["message"]["seq"], live["message"]["state"]) == (
        ack["message"]["id"],
        1,
        "published",
    )
    caught_up = noor.emit("chat:catch_up", {"conversation_id": world.room_id, "after_seq": 0}, callback=True)
    assert [m["seq"] for m in caught_up["messages"]] == [1, 2], "no gap among stored messages"


def test_a_refused_chat_message_of_a_new_member_tells_the_writer(world):
    sam = world.socket("sam")
    _join(world, sam)
    ack = send(sam, world, "Buy my stuff", "new-2")
    _act(world, _held_item(world, ack["message"]["id"]), "refuse", reason="No selling here")
    with world.app.app_context():
        told = db.session.scalars(select(Notification.kind).where(Notification.user_id == world.ids["sam"])).all()
    assert "moderation_outcome" in told


def test_once_enough_posts_and_messages_are_published_a_member_is_no_longer_held(world):
    sam = world.socket("sam")
    _join(world, sam)
    for number in range(3):  # the group checks the first 3 (the default)
        ack = send(sam, world, f"message {number}", f"first-{number}")
        assert ack["message"]["state"] == "held"
        _act(world, _held_item(world, ack["message"]["id"]), "approve")
    assert send(sam, world, "now trusted", "after")["message"]["state"] == "published"


# --- keeping and releasing one member --------------------------------------------------------------------------


def test_the_members_moderation_page_shows_the_choice_to_moderators(world):
    page = world.http("youthworker").get(_notes(world)).get_data(as_text=True)
    assert "Pre-moderation" in page and "first 3 posts and chat messages" in page
    assert 'value="kept"' in page and 'value="released"' in page


def test_keeping_a_member_holds_their_next_chat_message_and_post_in_a_group_that_checks_nothing(open_world):
    world = open_world
    moderator = world.http("youthworker")
    response = _choose(moderator, world, "kept", "Pushing other members to meet offline")
    assert response.status_code == 303
    assert _audit(world) == [
        ("moderation.premoderation_kept", "Pushing other members to meet offline", {"previous": "default"})
    ]
    sam = world.socket("sam")
    _join(world, sam)
    assert send(sam, world, "Hello", "kept-1")["message"]["state"] == "held"
    assert _topic_state(world) == "held"
    assert send(world.socket("noor"), world, "Hello", "noor-1")["message"]["state"] == "published", "only sam"
    with world.app.app_context():
        told = db.session.scalars(select(Notification.kind).where(Notification.user_id == world.ids["sam"])).all()
    assert told == [], "the member is not told"
    assert _choose(moderator, world, "default", "Two good weeks").status_code == 303
    assert send(sam, world, "Hello again", "kept-2")["message"]["state"] == "published"
    assert [row[0] for row in _audit(world)] == ["moderation.premoderation_kept", "moderation.premoderation_default"]
    with world.app.app_context():
        assert db.session.scalar(select(MemberPremoderation)) is None


def test_releasing_a_new_member_publishes_their_next_chat_message_and_post(world):
    assert (
        _choose(world.http("youthworker"), world, "released", "Known to us from the parents' evening").status_code
        == 303
    )
    assert _audit(world) == [
        ("moderation.premoderation_released", "Known to us from the parents' evening", {"previous": "default"})
    ]
    sam = world.socket("sam")
    _join(world, sam)
    assert send(sam, world, "Hello", "released-1")["message"]["state"] == "published"
    assert _topic_state(world) == "published"


def test_a_released_member_is_still_held_where_the_group_checks_everything(world):
    assert _choose(world.http("youthworker"), world, "released").status_code == 303
    with world.app.app_context():
        db.session.get(Group, world.group_id).premoderation = "all"
        db.session.commit()
    sam = world.socket("sam")
    _join(world, sam)
    assert send(sam, world, "Hello", "all-1")["message"]["state"] == "held"


@pytest.mark.parametrize(
    ("choice", "reason", "says"),
    [
        ("kept", "", "Write a short reason"),
        ("kept", "x" * 501, "under 500 characters"),
        ("forever", "Because", "Choose one of the options"),
        ("default", "Nothing to change", "already the choice"),
    ],
)
def test_bad_choices_are_refused_with_what_to_change_and_store_nothing(world, choice, reason, says):
    response = _choose(world.http("youthworker"), world, choice, reason)
    assert response.status_code == 400
    assert says in response.get_data(as_text=True)
    assert _audit(world) == []
    with world.app.app_context():
        assert db.session.scalar(select(MemberPremoderation)) is None


def test_a_moderator_is_never_pre_moderated_and_nobody_decides_about_themselves(world):
    with world.app.app_context():
        admin, group = db.session.get(User, world.ids["admin"]), db.session.get(Group, world.group_id)
        other = make_user("riley")
        add_to_group(admin, group, other, role="moderator")
        world.ids["riley"] = other.id
        assert db.session.scalar(select(Membership.role).where(Membership.user_id == other.id)) == "moderator"
    moderator = world.http("youthworker")
    for subject in ("riley", "youthworker"):
        response = _choose(moderator, world, "kept", username=subject)
        assert response.status_code == 400
        assert "not for moderators, admins or yourself" in response.get_data(as_text=True)
    assert _audit(world) == []


def test_members_other_groups_moderators_and_people_not_in_the_group_get_not_found(world):
    with world.app.app_context():
        admin = db.session.get(User, world.ids["admin"])
        other_group = db.session.get(Group, world.other_group_id)
        add_to_group(admin, other_group, make_user("elsewhere_mod"), role="moderator")
    path = f"{_notes(world)}/premoderation"
    for username in ("noor", "elsewhere_mod"):
        client = world.http(username)
        token_page = "/moderation/safety"
        response = post_form(client, path, {"choice": "kept", "reason": "x"}, form_page=token_page)
        assert response.status_code == 404, username
    moderator = world.http("youthworker")
    outsider = f"/moderation/notes/{world.group_id}/{world.ids['otto']}/premoderation"
    response = post_form(moderator, outsider, {"choice": "kept", "reason": "x"}, form_page=_notes(world))
    assert response.status_code == 404
    assert _audit(world) == []


def test_the_choice_is_in_the_members_export_without_who_made_it(world):
    assert _choose(world.http("youthworker"), world, "kept", "Pushing other members").status_code == 303
    sam = world.http("sam")
    assert post_form(sam, "/account/privacy/export", {}, form_page="/account/privacy").status_code == 303
    with world.app.app_context():
        export_id = db.session.scalar(select(DataExport.id).order_by(DataExport.id.desc()))
    archive = zipfile.ZipFile(io.BytesIO(sam.get(f"/account/privacy/exports/{export_id}").data))
    [choice] = json.loads(archive.read("moderation.json"))["premoderation_choices_about_you"]
    assert (choice["group"], choice["choice"]) == ("Young people", "kept")
    assert "Youthworker" not in json.dumps(choice) and "Pushing" not in json.dumps(choice)
