"""A private conversation stays between its participants: a young person and their youth worker.

Nobody else reads it (an instance admin stepping through message ids, a moderator of the group, someone of
another group) unless there are grounds about that conversation: a report, or an open safeguarding case. Then
the group's moderators (and admins, through the moderation pages) may read it, and every reading leaves a line
in the access log for each participant. Nobody edits the words of a private message as a moderator; a reported
one can be hidden or removed, audited.

Every path goes through the two read services (``chat.services.open_conversation`` and
``moderation.targets.open_target``): the message's moderation page, "edit and approve", ``moderation:act``,
and ``chat:join`` / ``chat:history`` / ``chat:catch_up``.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass

import pytest
from sqlalchemy import select

from community.auth.models import User
from community.chat import private as private_chat
from community.chat import sending
from community.chat import services as chat
from community.chat.models import Message
from community.core.audit import AuditEntry
from community.core.time import utcnow
from community.extensions import db, socketio
from community.groups.access_log import AccessLogEntry
from community.groups.models import Group
from community.groups.services import open_group
from community.moderation import reports
from community.moderation.models import QueueItem
from community.moderation.safeguarding import services as safeguarding
from tests.chat.helpers import build_world
from tests.conftest import _fresh_schema, build_app
from tests.factories import add_to_group, make_user, sign_in

SECRET = "Sometimes I sleep in the park so I do not have to go home."
ANSWER = "Thank you for telling me. Shall we talk tomorrow after school?"
CHANGED = "Everything is fine at home."
GROUNDS = ("none", "report", "case")
ACTORS = {  # kind of person -> username in the world below
    "participant": "sam",  # the young person who wrote SECRET
    "participant_moderator": "youthworker",  # the youth worker they talk to, a moderator of the group
    "other_member": "noor",
    "moderator": "mod2",  # another moderator of the same group, not in the conversation
    "other_moderator": "oscar",  # a moderator of another group
    "admin": "admin",  # an instance admin, in no group
}
# Who reads the message's moderation page (/moderation/content/message/<id>), per grounds.
CONTENT_PAGE = {
    "participant": {"none": 404, "report": 404, "case": 404},  # a member: moderation pages are not theirs
    "participant_moderator": {"none": 200, "report": 200, "case": 200},
    "other_member": {"none": 404, "report": 404, "case": 404},
    "moderator": {"none": 404, "report": 200, "case": 200},
    "other_moderator": {"none": 404, "report": 404, "case": 404},
    "admin": {"none": 404, "report": 200, "case": 200},
}
# Who reads the conversation live (chat:join, chat:history, chat:catch_up), per grounds. Admins read a reported
# message through the moderation pages, never by joining a room of a group they are not in.
CHAT = {
    "participant": {"none": True, "report": True, "case": True},
    "participant_moderator": {"none": True, "report": True, "case": True},
    "other_member": {"none": False, "report": False, "case": False},
    "moderator": {"none": False, "report": True, "case": True},
    "other_moderator": {"none": False, "report": False, "case": False},
    "admin": {"none": False, "report": False, "case": False},
}


@dataclass
class PrivateWorld:
    app: object
    ids: dict[str, int]
    group_id: int
    conversation_id: int
    secret_id: int  # the young person's message
    answer_id: int  # the youth worker's

    def client(self, username: str):
        client = self.app.test_client()
        sign_in(client, username)
        return client

    def socket(self, username: str):
        socket = socketio.test_client(self.app, flask_test_client=self.client(username))
        assert socket.is_connected()
        return socket


QUIET = {"WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False}


@pytest.fixture
def quiet_app():
    """The app without CSRF and rate limits: the tests post to pages some people cannot even open."""
    with contextmanager(_fresh_schema)(build_app(**QUIET)) as app:
        yield app


@pytest.fixture(params=["sqlite", "postgresql"])
def quiet_db_app(request):
    """``quiet_app`` on each database in turn, where the access log and audit chains are written."""
    url = "sqlite://" if request.param == "sqlite" else request.getfixturevalue("postgres_url")
    with contextmanager(_fresh_schema)(build_app(url, **QUIET)) as app:
        yield app


def build(app, grounds: str, *, premoderation: str = "none") -> PrivateWorld:
    world = build_world(app)
    with app.app_context():
        admin = db.session.get(User, world.ids["admin"])
        group, other = db.session.get(Group, world.group_id), db.session.get(Group, world.other_group_id)
        for username, target in (("mod2", group), ("oscar", other)):
            user = make_user(username)
            add_to_group(admin, target, user, role="moderator")
            world.ids[username] = user.id
        sam, worker = db.session.get(User, world.ids["sam"]), db.session.get(User, world.ids["youthworker"])
        sam.year_of_birth = utcnow().year - 14
        started = private_chat.start_private_conversation(sam, open_group(sam, group.slug), worker.id)
        conversation_id = started.conversation.id
        answer = sending.send(chat.open_conversation(worker, conversation_id), client_id="w-1", body=ANSWER).message
        group.premoderation = premoderation
        secret = sending.send(chat.open_conversation(sam, conversation_id), client_id="s-1", body=SECRET).message
        if grounds == "report":  # the young person reports the answer: the whole conversation is under review
            reports.submit(sam, reports.reportable(sam, "message", answer.id), "unkind")
        elif grounds == "case":  # the youth worker is worried about what the young person wrote
            about = chat.concern_about_message(worker, secret.id)
            safeguarding.raise_concern(worker, about, note="Sleeping outside")
        db.session.commit()
        return PrivateWorld(app, world.ids, group.id, conversation_id, secret.id, answer.id)


def log_lines(world: PrivateWorld, staff: str) -> list[tuple]:
    with world.app.app_context():
        return [
            (entry.subject_id, entry.what, entry.role, entry.detail)
            for entry in db.session.scalars(
                select(AccessLogEntry).where(AccessLogEntry.staff_id == world.ids[staff]).order_by(AccessLogEntry.id)
            )
        ]


def message(world: PrivateWorld, message_id: int) -> Message:
    with world.app.app_context():
        row = db.session.get(Message, message_id)
        db.session.expunge(row)
        return row


def audit_rows(world: PrivateWorld, action: str) -> list[AuditEntry]:
    with world.app.app_context():
        rows = list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)))
        db.session.expunge_all()
        return rows


def chat_reads(world: PrivateWorld, username: str) -> dict[str, dict]:
    socket = world.socket(username)
    try:
        conversation_id = world.conversation_id
        return {
            "join": socket.emit("chat:join", {"conversation_id": conversation_id}, callback=True),
            "history": socket.emit(
                "chat:history", {"conversation_id": conversation_id, "before_seq": 100, "limit": 10}, callback=True
            ),
            "catch_up": socket.emit(
                "chat:catch_up", {"conversation_id": conversation_id, "after_seq": 0}, callback=True
            ),
        }
    finally:
        socket.disconnect()


@pytest.mark.parametrize("grounds", GROUNDS)
@pytest.mark.parametrize("actor", list(ACTORS))
def test_a_private_conversation_is_read_only_by_its_participants_or_on_grounds_and_staff_readings_are_logged(
    quiet_app, actor, grounds
):
    world = build(quiet_app, grounds)
    username = ACTORS[actor]
    page = world.client(username).get(f"/moderation/content/message/{world.secret_id}")
    assert page.status_code == CONTENT_PAGE[actor][grounds]
    assert (SECRET in page.get_data(as_text=True)) is (page.status_code == 200)

    acks = chat_reads(world, username)
    for name, ack in acks.items():
        assert ack["ok"] is CHAT[actor][grounds], f"{name}: {ack}"
        if ack["ok"]:
            assert SECRET in str(ack["messages"])
        else:
            assert ack["code"] == "not_found" and SECRET not in str(ack)

    readings = (page.status_code == 200) + sum(ack["ok"] for ack in acks.values())
    staff_reading = actor in ("moderator", "admin") and readings
    role = "admin" if actor == "admin" else "moderator"
    both = sorted((world.ids["sam"], world.ids["youthworker"]))
    expected = [(subject, "private_conversation", role, f"conversation {world.conversation_id}") for subject in both]
    lines = log_lines(world, username)
    assert sorted(lines) == (sorted(expected * readings) if staff_reading else [])


@pytest.mark.parametrize("grounds", GROUNDS)
@pytest.mark.parametrize("actor", list(ACTORS))
def test_nobody_edits_the_words_of_a_private_message_as_a_moderator(quiet_app, actor, grounds):
    world = build(quiet_app, grounds)
    username = ACTORS[actor]
    response = world.client(username).post(
        f"/moderation/content/message/{world.secret_id}",
        data={"action": "edit_approve", "body": CHANGED, "reason": ""},
    )
    may_read = CONTENT_PAGE[actor][grounds] == 200
    assert response.status_code == (400 if may_read else 404)
    if may_read:
        assert "The words of a private message stay the writer" in response.get_data(as_text=True)
    socket = world.socket(username)
    try:
        ack = socket.emit(
            "moderation:act",
            {"message_id": world.secret_id, "action": "edit_approve", "body": CHANGED, "reason": ""},
            callback=True,
        )
    finally:
        socket.disconnect()
    assert ack["ok"] is False
    assert message(world, world.secret_id).body_source == SECRET
    assert audit_rows(world, "moderation.edit_approve") == []


def test_the_moderation_page_of_a_private_message_offers_no_editing(quiet_app):
    world = build(quiet_app, "report")
    page = world.client("mod2").get(f"/moderation/content/message/{world.secret_id}").get_data(as_text=True)
    assert SECRET in page
    assert 'value="edit_approve"' not in page and 'name="body"' not in page
    assert 'value="hide"' in page and 'value="delete"' in page


@pytest.mark.parametrize("grounds", ("report", "case"))
def test_a_private_message_under_review_can_be_hidden_or_removed_and_it_is_audited(quiet_db_app, grounds):
    world = build(quiet_db_app, grounds)
    socket = world.socket("mod2")
    try:
        ack = socket.emit(
            "moderation:act",
            {"message_id": world.secret_id, "action": "hide", "reason": "Hidden while we talk with you"},
            callback=True,
        )
    finally:
        socket.disconnect()
    assert ack["ok"] is True, ack
    assert message(world, world.secret_id).state == "hidden"
    [hidden] = audit_rows(world, "moderation.hide")
    assert (hidden.actor_id, hidden.target_type, hidden.target_id, hidden.group_id) == (
        world.ids["mod2"], "message", world.secret_id, world.group_id)  # fmt: skip
    response = world.client("admin").post(
        f"/moderation/content/message/{world.answer_id}", data={"action": "delete", "reason": "Not kind"}
    )
    assert response.status_code == 303
    assert message(world, world.answer_id).state == "removed"
    [removed] = audit_rows(world, "moderation.delete")
    assert (removed.actor_id, removed.target_id) == (world.ids["admin"], world.answer_id)
    assert {line[1] for line in log_lines(world, "mod2") + log_lines(world, "admin")} == {"private_conversation"}


def test_without_grounds_nobody_outside_the_conversation_hides_or_removes_its_messages(quiet_app):
    world = build(quiet_app, "none")
    socket = world.socket("mod2")
    try:
        ack = socket.emit(
            "moderation:act", {"message_id": world.secret_id, "action": "hide", "reason": "Looked"}, callback=True
        )
    finally:
        socket.disconnect()
    assert ack["ok"] is False
    response = world.client("admin").post(
        f"/moderation/content/message/{world.secret_id}", data={"action": "delete", "reason": "Looked"}
    )
    assert response.status_code == 404
    assert message(world, world.secret_id).state == "published"
    assert audit_rows(world, "moderation.hide") == audit_rows(world, "moderation.delete") == []
    assert log_lines(world, "mod2") == log_lines(world, "admin") == []


def test_an_admin_stepping_through_message_ids_reads_no_private_message(quiet_app):
    world = build(quiet_app, "none")
    admin = world.client("admin")
    with world.app.app_context():
        ids = list(db.session.scalars(select(Message.id)))
    statuses = {admin.get(f"/moderation/content/message/{message_id}").status_code for message_id in ids}
    assert statuses == {404}
    assert log_lines(world, "admin") == []


def test_closing_the_safeguarding_case_ends_the_moderators_reading(quiet_db_app):
    world = build(quiet_db_app, "case")
    assert chat_reads(world, "mod2")["join"]["ok"] is True
    with world.app.app_context():
        from community.moderation.safeguarding.models import SafeguardingCase

        case_id = db.session.scalar(select(SafeguardingCase.id))
        worker = db.session.get(User, world.ids["youthworker"])
        safeguarding.close_case(worker, case_id, outcome="member_contacted")
        db.session.commit()
    assert chat_reads(world, "mod2")["join"]["code"] == "not_found"
    assert world.client("mod2").get(f"/moderation/content/message/{world.secret_id}").status_code == 404


def test_a_held_private_message_is_shown_alone_to_decide_its_queue_item_and_the_reading_is_logged(quiet_db_app):
    world = build(quiet_db_app, "none", premoderation="all")
    assert message(world, world.secret_id).state == "held"
    with world.app.app_context():
        item_id = db.session.scalar(
            select(QueueItem.id).where(QueueItem.target_type == "message", QueueItem.target_id == world.secret_id)
        )
    moderator = world.client("mod2")
    # Not through the content page (no grounds about the conversation), and not the conversation around it.
    assert moderator.get(f"/moderation/content/message/{world.secret_id}").status_code == 404
    page = moderator.get(f"/moderation/items/{item_id}").get_data(as_text=True)
    assert SECRET in page and ANSWER not in page
    assert len(log_lines(world, "mod2")) == 2
    assert chat_reads(world, "mod2")["join"]["ok"] is False
    response = moderator.post(f"/moderation/items/{item_id}/act", data={"action": "approve", "reason": ""})
    assert response.status_code == 303
    assert message(world, world.secret_id).state == "published"
    # Decided: the item no longer opens the message.
    assert SECRET not in moderator.get(f"/moderation/items/{item_id}").get_data(as_text=True)


def test_a_report_item_shows_the_conversation_around_the_message_and_logs_it(quiet_app):
    world = build(quiet_app, "report")
    with world.app.app_context():
        item_id = db.session.scalar(select(QueueItem.id).where(QueueItem.kind == "report"))
    page = world.client("admin").get(f"/moderation/items/{item_id}").get_data(as_text=True)
    assert ANSWER in page and SECRET in page
    assert sorted(line[0] for line in log_lines(world, "admin")) == sorted((world.ids["sam"], world.ids["youthworker"]))


def test_the_policy_lets_a_moderator_read_a_private_conversation_only_under_review():
    from types import SimpleNamespace

    from community.chat import policy

    group = SimpleNamespace(id=1, state="active")
    moderator = SimpleNamespace(id=7, state="active")
    membership = SimpleNamespace(group_id=1, role="moderator", state="active")
    for reported, case_open, expected in ((False, False, False), (True, False, True), (False, True, True)):
        conversation = SimpleNamespace(group_id=1, kind="private", reported=reported)
        assert policy.can_read_conversation(moderator, group, membership, conversation, None, case_open=case_open) is (
            expected
        )
    assert not policy.can_edit_words_as_moderator(SimpleNamespace(kind="private"))
    assert policy.can_edit_words_as_moderator(SimpleNamespace(kind="group"))
    assert policy.can_edit_words_as_moderator(None)  # a post
