"""Chat's notifications, through Socket.IO and the pages: a private message (told once until the conversation is
read), "@Name" in a room, and a reply to one's message; never to the writer, to someone who cannot read the
room, to someone who muted the writer or the group."""

from __future__ import annotations

import re

from sqlalchemy import select

from community.extensions import db
from community.groups.models import Group, Membership
from community.notifications import preferences
from community.notifications.models import Notification
from tests.notifications.world import approve, build_world, notifications_of, page_text, rows_of, set_premoderation


def _leave(world, name: str) -> None:
    with world.app.app_context():
        db.session.execute(
            Membership.__table__.update()
            .where(Membership.user_id == world.ids[name], Membership.group_id == world.group_id)
            .values(state="removed")
        )
        db.session.commit()


# --- private messages --------------------------------------------------------------------------------------------


def test_a_private_message_counts_once_until_the_conversation_is_read(db_app):
    """Before private messages were a notification kind, the count stayed at 0 here."""
    world = build_world(db_app)
    conversation_id = world.private("sam", "noor")
    sam, noor = world.socket("sam"), world.socket("noor")
    assert world.unread("noor") == 0

    world.say(sam, conversation_id, "Hello Noor")
    assert world.unread("noor") == 1
    assert [event["kind"] for event in notifications_of(noor)] == ["private_message"]
    for number in range(3):
        world.say(sam, conversation_id, f"Are you there? {number}")
    assert world.unread("noor") == 1, "three more messages add nothing while one is unread"
    assert rows_of(db_app, "private_message", world.ids["noor"]) == 1
    assert notifications_of(noor) == []
    assert world.unread("sam") == 0, "never the writer"

    noor.get_received()
    last_seq = 4
    ack = noor.emit("chat:read", {"conversation_id": conversation_id, "seq": last_seq}, callback=True)
    assert ack["ok"], ack
    assert world.unread("noor") == 0
    counts = [item["args"][0]["count"] for item in noor.get_received() if item["name"] == "notification:count"]
    assert counts == [0], "the open pages' badge updates live"

    world.say(sam, conversation_id, "One more")
    assert world.unread("noor") == 1, "after reading, the next message tells again"
    assert rows_of(db_app, "private_message", world.ids["noor"]) == 2


def test_opening_the_conversation_page_reads_its_notice_and_the_centre_links_to_it(app):
    world = build_world(app)
    conversation_id = world.private("sam", "noor")
    world.say(world.socket("sam"), conversation_id, "Hello Noor")
    noor = world.http("noor")
    centre = page_text(noor.get("/notifications").get_data(as_text=True))
    assert "Sam wrote to you in a private conversation in Parents." in centre
    with app.app_context():
        note_id = db.session.scalar(select(Notification.id).where(Notification.kind == "private_message"))
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', noor.get("/notifications").get_data(as_text=True))[1]
    opened = noor.post(f"/notifications/{note_id}/read", data={"csrf_token": token, "open": "1"})
    assert opened.status_code == 303 and opened.headers["Location"].endswith(f"/conversations/{conversation_id}")

    world.say(world.socket("sam"), conversation_id, "Another")
    assert world.unread("noor") == 1
    assert noor.get(f"/conversations/{conversation_id}").status_code == 200  # without JavaScript: no chat:read
    assert world.unread("noor") == 0


def test_writing_in_the_conversation_reads_its_notice(app):
    world = build_world(app)
    conversation_id = world.private("sam", "noor")
    world.say(world.socket("sam"), conversation_id, "Hello Noor")
    assert world.unread("noor") == 1
    world.say(world.socket("noor"), conversation_id, "Hi Sam")
    assert world.unread("noor") == 0
    assert world.unread("sam") == 1


def test_a_private_message_from_someone_muted_or_in_a_muted_group_tells_nothing(app):
    world = build_world(app)
    conversation_id = world.private("sam", "noor")
    world.mute("noor", "sam")
    sam = world.socket("sam")
    world.say(sam, conversation_id, "Hello Noor")
    assert world.unread("noor") == 0

    conversation_id = world.private("mona", "noor")
    with app.app_context():
        preferences.set_group_setting(world.user("noor"), db.session.get(Group, world.group_id), muted=True, email=None)
        db.session.commit()
    world.say(world.socket("mona"), conversation_id, "From your moderator")
    assert world.unread("noor") == 0


def test_a_held_private_message_tells_its_partner_once_a_moderator_approves_it(app):
    world = build_world(app)
    conversation_id = world.private("sam", "noor")
    set_premoderation(world, "all")
    ack = world.say(world.socket("sam"), conversation_id, "Held at first")
    assert ack["message"]["state"] == "held"
    assert world.unread("noor") == 0
    assert rows_of(app, "held_item", world.ids["mona"]) == 1
    approve(world, "message", ack["message"]["id"])
    assert world.unread("noor") == 1
    assert rows_of(app, "private_message", world.ids["noor"]) == 1


# --- mentions and replies in a room ------------------------------------------------------------------------------


def test_a_mention_in_the_room_tells_the_member_once_and_opens_the_message(app):
    world = build_world(app)
    room = world.room_id()
    noor = world.socket("noor")
    ack = world.say(world.socket("sam"), room, "@Noor look at this, and again @Noor")
    assert [event["kind"] for event in notifications_of(noor)] == ["chat_mention"]
    assert rows_of(app, "chat_mention", world.ids["noor"]) == 1, "at most once per message"
    client = world.http("noor")
    assert "Sam mentioned you in the chat of Parents." in page_text(client.get("/notifications").get_data(as_text=True))
    message_id = ack["message"]["id"]
    opened = client.get(f"/messages/{message_id}")
    assert opened.status_code == 303
    assert opened.headers["Location"].endswith(f"/g/{world.slug}/chat#message-{message_id}")
    assert world.http("boss").get(f"/messages/{message_id}").status_code == 404, "the admin is not in the group"


def test_a_mention_tells_nobody_who_cannot_read_the_room_nor_the_writer_nor_whom_they_muted(app):
    world = build_world(app)
    room = world.room_id()
    sam = world.socket("sam")
    world.say(sam, room, "Note to self, @Sam")
    assert world.unread("sam") == 0
    world.mute("mona", "sam")
    world.say(sam, room, "@Mona hello")
    assert world.unread("mona") == 0
    _leave(world, "noor")
    world.say(sam, room, "@Noor are you still here?")
    assert rows_of(app, "chat_mention", world.ids["noor"]) == 0


def test_a_reply_tells_the_author_of_the_message_replied_to(app):
    world = build_world(app)
    room = world.room_id()
    noor, sam = world.socket("noor"), world.socket("sam")
    first = world.say(noor, room, "Does anyone walk in the evening?")
    notifications_of(noor)
    world.say(sam, room, "I do", reply_to_id=first["message"]["id"])
    assert [event["kind"] for event in notifications_of(noor)] == ["reply"]
    page = page_text(world.http("noor").get("/notifications").get_data(as_text=True))
    assert "Sam replied to your message in the chat of Parents." in page

    world.say(noor, room, "Me too, replying to myself", reply_to_id=first["message"]["id"])
    assert rows_of(app, "reply", world.ids["noor"]) == 1, "not when replying to oneself"

    world.say(sam, room, "@Noor both at once", reply_to_id=first["message"]["id"])
    assert rows_of(app, "reply", world.ids["noor"]) == 1, "a mention says more: one notice per message"
    assert rows_of(app, "chat_mention", world.ids["noor"]) == 1


def test_a_reply_to_someone_who_left_the_group_tells_nobody(app):
    world = build_world(app)
    room = world.room_id()
    first = world.say(world.socket("noor"), room, "Bye everyone")
    sam = world.socket("sam")
    _leave(world, "noor")
    world.say(sam, room, "Bye Noor", reply_to_id=first["message"]["id"])
    assert rows_of(app, "reply", world.ids["noor"]) == 0
