"""A member leaves a group themselves: a page says what happens, the button leaves (audited), the group is then
"not found" for them, what they wrote stays, their sockets leave its rooms, their private conversations there
end, and only a newer invitation lets them back. Bad input: a group one is not in, leaving twice, an expired
form, the last moderator."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from community.auth.models import User
from community.chat.models import ConversationParticipant
from community.core.audit import AuditEntry
from community.core.errors import DomainError
from community.extensions import db
from community.forum import writing as forum
from community.forum.models import Topic
from community.groups import invitation_staff, invitations
from community.groups import services as groups
from community.groups.models import Group, Membership
from community.notifications import services as notifications
from tests.chat.helpers import build_world, events, send
from tests.factories import add_to_group, make_user, post_form


@pytest.fixture
def world(app):
    world = build_world(app)
    yield world
    world.close()


def _leave(client, slug: str):
    return post_form(client, f"/g/{slug}/leave", {}, form_page=f"/g/{slug}/leave")


def _membership(world, username: str) -> Membership:
    with world.app.app_context():
        membership = db.session.scalar(
            select(Membership).where(Membership.user_id == world.ids[username], Membership.group_id == world.group_id)
        )
        db.session.expunge(membership)
        return membership


def _audit(world, action: str) -> list[AuditEntry]:
    with world.app.app_context():
        rows = list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)))
        db.session.expunge_all()
        return rows


def _topic_by(world, username: str) -> int:
    with world.app.app_context():
        user = db.session.get(User, world.ids[username])
        created = forum.create_topic(user, groups.open_group(user, world.slug), title="My first week", body="Hello all")
        db.session.commit()
        return created.topic.id


def test_the_group_page_offers_leaving_and_the_page_says_what_happens(world):
    sam = world.http("sam")
    assert f"/g/{world.slug}/leave" in sam.get(f"/g/{world.slug}").get_data(as_text=True)
    page = sam.get(f"/g/{world.slug}/leave").get_data(as_text=True)
    assert "Leave Young people" in page
    assert "under its rules" in page and "only with a new invitation" in page
    assert "private conversations in this group end for you" in page
    assert 'name="csrf_token"' in page


def test_a_member_leaves_audited_the_group_is_then_not_found_and_their_topic_stays(world):
    topic_id = _topic_by(world, "sam")
    sam = world.http("sam")
    response = _leave(sam, world.slug)
    assert response.status_code == 303 and response.headers["Location"].endswith("/")
    membership = _membership(world, "sam")
    assert (membership.state, membership.role) == ("removed", "member") and membership.removed_at is not None
    [entry] = _audit(world, "membership.left")
    assert (entry.actor_id, entry.target_type, entry.target_id, entry.group_id) == (
        world.ids["sam"], "user", world.ids["sam"], world.group_id,
    )  # fmt: skip
    assert entry.details == {"previous_role": "member"}
    assert sam.get(f"/g/{world.slug}").status_code == 404
    assert sam.get(f"/g/{world.slug}/t/{topic_id}").status_code == 404
    assert sam.get("/").status_code == 200, "still signed in: their sessions stay"
    with world.app.app_context():
        assert db.session.get(Topic, topic_id).state == "published", "their words stay, under the group's rules"
    noor_page = world.http("noor").get(f"/g/{world.slug}").get_data(as_text=True)
    assert "Sam" not in noor_page.split("People in this group")[1], "no longer listed among the group's people"


def test_leaving_takes_the_members_sockets_out_of_the_groups_rooms(world):
    sam, noor = world.socket("sam"), world.socket("noor")
    for socket in (sam, noor):
        assert socket.emit("chat:join", {"conversation_id": world.room_id}, callback=True)["ok"]
    assert _leave(world.http("sam"), world.slug).status_code == 303
    sam.get_received()
    assert send(noor, world, "Anyone still here?", "after-leaving")["ok"]
    assert events(sam, "chat:message") == [], "left the room: nothing more reaches them"
    assert sam.emit("chat:join", {"conversation_id": world.room_id}, callback=True)["ok"] is False


def test_their_private_conversations_in_the_group_end_and_the_other_person_cannot_write_in_them(world):
    sam_http = world.http("sam")
    started = post_form(
        sam_http, f"/g/{world.slug}/conversations/new", {"user_id": world.ids["youthworker"]},
        form_page=f"/g/{world.slug}/conversations",
    )  # fmt: skip
    conversation_id = int(started.headers["Location"].split("/")[-1])
    assert _leave(sam_http, world.slug).status_code == 303
    with world.app.app_context():
        left = db.session.scalar(
            select(ConversationParticipant.left_at).where(
                ConversationParticipant.conversation_id == conversation_id,
                ConversationParticipant.user_id == world.ids["sam"],
            )
        )
        assert left is not None
    moderator = world.socket("youthworker")
    moderator.emit("chat:join", {"conversation_id": conversation_id}, callback=True)
    ack = moderator.emit(
        "chat:send", {"conversation_id": conversation_id, "client_id": "m1", "body": "Still there?"}, callback=True
    )
    assert ack["ok"] is False, "nobody is there to read it any more"
    page = world.http("youthworker").get(f"/conversations/{conversation_id}").get_data(as_text=True)
    assert "closed for new messages" in page


def test_notifications_about_the_group_stop_counting(world):
    with world.app.app_context():
        notifications.notify(
            [world.ids["sam"]], kind="held_item", actor_id=None, group_id=world.group_id,
            target_type="group_queue", target_id=world.group_id,
        )  # fmt: skip
        db.session.commit()
        assert notifications.unread_count(world.ids["sam"]) == 1
    assert _leave(world.http("sam"), world.slug).status_code == 303
    with world.app.app_context():
        assert notifications.unread_count(world.ids["sam"]) == 0


def test_leaving_a_group_one_is_not_in_is_not_found_and_changes_nothing(world):
    otto = world.http("otto")
    assert otto.get(f"/g/{world.slug}/leave").status_code == 404
    token = post_form  # the token of a page otto can open: their own group's leave page
    with world.app.app_context():
        other_slug = db.session.get(Group, world.other_group_id).slug
    response = token(otto, f"/g/{world.slug}/leave", {}, form_page=f"/g/{other_slug}/leave")
    assert response.status_code == 404
    assert otto.get("/g/no-such-group/leave").status_code == 404
    assert _audit(world, "membership.left") == []
    assert _membership(world, "sam").state == "active"


def test_leaving_twice_says_they_are_no_longer_in_the_group(world):
    sam = world.http("sam")
    page = f"/g/{world.slug}/leave"
    token_page = sam.get(page).get_data(as_text=True)
    assert _leave(sam, world.slug).status_code == 303
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', token_page).group(1)
    again = sam.post(page, data={"csrf_token": token})  # the same session's token, as a second tab would send
    assert again.status_code == 404
    assert "You are no longer in this group." in again.get_data(as_text=True)
    assert len(_audit(world, "membership.left")) == 1


def test_an_expired_form_leaves_nothing(world):
    sam = world.http("sam")
    response = sam.post(f"/g/{world.slug}/leave", data={"csrf_token": "stale"})
    assert response.status_code == 400
    assert _membership(world, "sam").state == "active"


def test_the_last_moderator_is_asked_to_have_another_appointed_first(world):
    moderator = world.http("youthworker")
    page = moderator.get(f"/g/{world.slug}/leave").get_data(as_text=True)
    assert "You are the last moderator of this group" in page
    response = _leave(moderator, world.slug)
    assert response.status_code == 400
    assert "Ask an admin to appoint another moderator first" in response.get_data(as_text=True)
    assert _membership(world, "youthworker").state == "active"
    assert _audit(world, "membership.left") == []
    with world.app.app_context():
        admin, group = db.session.get(User, world.ids["admin"]), db.session.get(Group, world.group_id)
        add_to_group(admin, group, make_user("riley"), role="moderator")
    assert _leave(moderator, world.slug).status_code == 303
    [entry] = _audit(world, "membership.left")
    assert entry.details == {"previous_role": "moderator"}


def test_only_an_invitation_made_after_leaving_lets_them_back(world):
    with world.app.app_context():
        admin, group = db.session.get(User, world.ids["admin"]), db.session.get(Group, world.group_id)
        old_code = invitation_staff.create_code_invitation(admin, group, "member").code
        db.session.commit()
    assert _leave(world.http("sam"), world.slug).status_code == 303
    with world.app.app_context():
        sam = db.session.get(User, world.ids["sam"])
        with pytest.raises(DomainError):
            invitations.accept_as_member(sam, old_code)
        db.session.rollback()
        admin, group = db.session.get(User, world.ids["admin"]), db.session.get(Group, world.group_id)
        new_code = invitation_staff.create_code_invitation(admin, group, "member").code
        db.session.commit()
        invitations.accept_as_member(db.session.get(User, world.ids["sam"]), new_code)
        db.session.commit()
    assert _membership(world, "sam").state == "active"
    assert world.http("sam").get(f"/g/{world.slug}").status_code == 200
