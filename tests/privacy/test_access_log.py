"""The access log: staff opening a member's personal data leaves a hash-chained line the member can see."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from community.extensions import db
from community.groups import access_log
from community.groups.access_log import AccessLogEntry
from tests.consent.helpers import build_world


@pytest.fixture
def world(db_app):
    return build_world(db_app)


def test_an_admin_opening_an_account_is_logged_and_shown_to_the_member(world):
    member = world.client("mia")
    assert "No staff member has opened your personal data." in member.get("/account/privacy").get_data(as_text=True)
    assert world.client("admin1").get(f"/admin/accounts/{world.ids['mia']}").status_code == 200
    with world.app.app_context():
        [entry] = db.session.scalars(select(AccessLogEntry)).all()
        assert (entry.staff_id, entry.subject_id, entry.what, entry.role) == (
            world.ids["admin1"], world.ids["mia"], "profile", "admin")  # fmt: skip
        assert entry.on_behalf_of == "Kring"
    page = member.get("/account/privacy").get_data(as_text=True)
    assert "Admin One" in page and "profile details" in page
    # Other members see nothing of it.
    assert "Admin One" not in world.client("otto").get("/account/privacy").get_data(as_text=True)


def test_the_log_is_chained_append_only_and_verified(world):
    with world.app.app_context():
        admin, mia, mona = world.user("admin1"), world.user("mia"), world.user("mona")
        access_log.record_access(admin, mia, "profile", "admin")
        access_log.record_access(mona, mia, "private_conversation", "moderator", detail="conversation 3")
        assert access_log.record_access(mia, mia, "profile", "admin") is None  # one's own data: not logged
        db.session.commit()
        assert access_log.verify().ok and access_log.verify().checked == 2
        entry = db.session.scalar(select(AccessLogEntry).order_by(AccessLogEntry.id))
        entry.what = "export"
        with pytest.raises(RuntimeError, match="append-only"):
            db.session.flush()
        db.session.rollback()
        # Changed behind the ORM's back: the chain check finds it.
        db.session.execute(AccessLogEntry.__table__.update().values(what="export").where(AccessLogEntry.id == entry.id))
        db.session.commit()
        report = access_log.verify()
        assert not report.ok and report.first_bad_id == entry.id
    result = world.app.test_cli_runner().invoke(args=["privacy", "verify-access-log"])
    assert result.exit_code != 0


def _entries(world, what: str) -> list[tuple]:
    with world.app.app_context():
        return [
            (e.staff_id, e.subject_id, e.role, e.detail)
            for e in db.session.scalars(
                select(AccessLogEntry).where(AccessLogEntry.what == what).order_by(AccessLogEntry.id)
            )
        ]


def _group_id(world) -> int:
    from community.groups.models import Group

    with world.app.app_context():
        return db.session.scalar(select(Group.id).where(Group.slug == world.slug))


def test_a_moderator_opening_the_notes_on_a_member_is_logged(world):
    group_id = _group_id(world)
    assert world.client("mona").get(f"/moderation/notes/{group_id}/{world.ids['mia']}").status_code == 200
    assert _entries(world, "moderator_notes") == [
        (world.ids["mona"], world.ids["mia"], "moderator", f"group {group_id}")
    ]
    # A member who may not read notes gets "not found" and leaves no line.
    assert world.client("otto").get(f"/moderation/notes/{group_id}/{world.ids['mia']}").status_code == 404
    assert len(_entries(world, "moderator_notes")) == 1
    page = world.client("mia").get("/account/privacy").get_data(as_text=True)
    assert "Mona Person" in page and "moderator notes" in page


def test_opening_a_safeguarding_case_is_logged_for_its_subject(world):
    from datetime import timedelta

    from community.core.time import utcnow
    from community.moderation.safeguarding.models import SafeguardingCase

    group_id = _group_id(world)
    with world.app.app_context():
        case = SafeguardingCase(group_id=group_id, subject_id=world.ids["mia"], source="staff", severity="concern",
                                due_at=utcnow() + timedelta(hours=4))  # fmt: skip
        db.session.add(case)
        db.session.commit()
        case_id = case.id
    assert world.client("mona").get(f"/moderation/safeguarding/{case_id}").status_code == 200
    assert world.client("admin1").get(f"/moderation/safeguarding/{case_id}").status_code == 200
    assert _entries(world, "safeguarding_case") == [
        (world.ids["mona"], world.ids["mia"], "moderator", f"case {case_id}"),
        (world.ids["admin1"], world.ids["mia"], "admin", f"case {case_id}"),
    ]
    assert world.client("otto").get(f"/moderation/safeguarding/{case_id}").status_code == 404
    assert len(_entries(world, "safeguarding_case")) == 2


def _private_conversation(world, *, reported: bool) -> int:
    from community.chat.models import Conversation, ConversationParticipant

    group_id = _group_id(world)
    with world.app.app_context():
        conversation = Conversation(kind="private", group_id=group_id, reported=reported,
                                    started_by_id=world.ids["mia"])  # fmt: skip
        db.session.add(conversation)
        db.session.flush()
        for username in ("mia", "otto"):
            db.session.add(ConversationParticipant(conversation_id=conversation.id, user_id=world.ids[username]))
        db.session.commit()
        return conversation.id


def test_a_moderator_reading_a_reported_private_conversation_is_logged_for_both_people(world):
    conversation_id = _private_conversation(world, reported=True)
    detail = f"conversation {conversation_id}"
    # The participants reading their own conversation: no line.
    assert world.client("mia").get(f"/conversations/{conversation_id}").status_code in (200, 404)
    assert _entries(world, "private_conversation") == []
    assert world.client("mona").get(f"/conversations/{conversation_id}").status_code == 200
    assert _entries(world, "private_conversation") == [
        (world.ids["mona"], world.ids["mia"], "moderator", detail),
        (world.ids["mona"], world.ids["otto"], "moderator", detail),
    ]


def test_joining_a_reported_conversation_over_socket_io_is_logged(world):
    from community.extensions import socketio
    from tests.factories import sign_in

    conversation_id = _private_conversation(world, reported=True)
    unreported = _private_conversation(world, reported=False)
    client = world.app.test_client()
    sign_in(client, "mona")
    socket = socketio.test_client(world.app, flask_test_client=client)
    try:
        assert socket.emit("chat:join", {"conversation_id": conversation_id}, callback=True)["ok"]
        assert not socket.emit("chat:join", {"conversation_id": unreported}, callback=True)["ok"]
    finally:
        socket.disconnect()
    assert [row[1] for row in _entries(world, "private_conversation")] == [world.ids["mia"], world.ids["otto"]]


def test_a_queue_item_showing_a_reported_private_message_is_logged(world):
    from community.chat.models import Message
    from community.moderation.models import QueueItem

    conversation_id = _private_conversation(world, reported=True)
    group_id = _group_id(world)
    with world.app.app_context():
        message = Message(conversation_id=conversation_id, seq=1, author_id=world.ids["mia"], client_id="m-1",
                          body_source="Hello", body_html="<p>Hello</p>")  # fmt: skip
        db.session.add(message)
        db.session.flush()
        item = QueueItem(group_id=group_id, kind="report", target_type="message", target_id=message.id)
        db.session.add(item)
        db.session.commit()
        item_id = item.id
    assert world.client("mona").get(f"/moderation/items/{item_id}").status_code == 200
    assert [row[1] for row in _entries(world, "private_conversation")] == [world.ids["mia"], world.ids["otto"]]
