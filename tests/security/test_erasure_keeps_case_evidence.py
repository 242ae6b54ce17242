"""Deleting one's account while a report or a safeguarding case involves them must not destroy the evidence
staff need to finish it. The account is a tombstone at once (no name, email or sign-in); the reported items,
the private conversation they are in (both sides), the moderators' notes and the case texts stay, anonymised,
until the matter is closed; then the erasure the person chose is carried out (docs/privacy.md)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from community.auth.models import User
from community.chat import private as private_chat
from community.chat import sending
from community.chat import services as chat
from community.chat.models import Conversation, Message
from community.core.audit import AuditEntry
from community.extensions import db
from community.forum import services as forum_services
from community.forum import writing as forum
from community.forum.models import Post
from community.groups import services as groups
from community.groups.models import Group
from community.moderation import actions, notes, reports
from community.moderation.models import ModeratorNote, QueueItem, Report
from community.moderation.safeguarding import services as safeguarding
from community.moderation.safeguarding.member_data import REMOVED_TEXT
from community.moderation.safeguarding.models import SafeguardingCase, SafeguardingNote
from community.privacy.models import ErasureHold
from tests.consent.helpers import build_world
from tests.factories import PASSWORD, post_form


@pytest.fixture
def world(db_app):
    world = build_world(db_app)  # mia and otto (members), mona (moderator), admin1
    with db_app.app_context():
        db.session.scalar(select(Group).where(Group.slug == world.slug)).member_messages_allowed = True
        for username in ("mia", "otto", "mona"):
            world.user(username).year_of_birth = 1985  # adults: private conversations between them are allowed
        db.session.commit()
    return world


def _delete_account(world, username: str, mode: str) -> None:
    client = world.client(username)
    data = {"mode": mode, "password": PASSWORD, "confirm": "y"}
    assert post_form(client, "/account/delete", data).status_code == 303


def _private(world, writer: str, other: str, *bodies: tuple[str, str]) -> tuple[int, dict[str, int]]:
    """A private conversation in the group; ``bodies``: (who, text) in order. Returns its id and message ids."""
    with world.app.app_context():
        first = world.user(writer)
        started = private_chat.start_private_conversation(first, groups.open_group(first, world.slug), world.ids[other])
        ids = {}
        for index, (who, text) in enumerate(bodies):
            access = chat.open_conversation(world.user(who), started.conversation.id)
            ids[text] = sending.send(access, client_id=f"{who}-{started.conversation.id}-{index}", body=text).message.id
        db.session.commit()
        return started.conversation.id, ids


def _count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _audit(action: str) -> list[AuditEntry]:
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)))


def test_deleting_ones_account_keeps_a_reported_private_conversation_until_the_report_is_resolved(world):
    app, mia_id = world.app, world.ids["mia"]
    reported_conversation, said = _private(
        world, "mia", "otto", ("mia", "Miahurtful words"), ("otto", "Ottoreply please stop"), ("mia", "Mialater")
    )
    other_conversation, _ = _private(world, "mia", "mona", ("mia", "Miasecret to the nurse"))
    with app.app_context():
        otto, mona = world.user("otto"), world.user("mona")
        reports.submit(otto, reports.reportable(otto, "message", said["Miahurtful words"]), "unkind", "Ottoreportnote")
        group_id = db.session.scalar(select(Group.id).where(Group.slug == world.slug))
        notes.add_note(mona, group_id, mia_id, "Notetext: mia was warned before")
        room = chat.open_group_room(world.user("mia"), groups.open_group(world.user("mia"), world.slug))
        sending.send(room, client_id="mia-room", body="Miaroom hello")
        db.session.commit()
        item_id = db.session.scalar(select(QueueItem.id).where(QueueItem.kind == "report"))

    _delete_account(world, "mia", "remove")

    with app.app_context():
        tombstone = db.session.get(User, mia_id)
        assert (tombstone.state, tombstone.email, tombstone.display_name) == ("deleted", None, "former member")
        # Not needed by any open matter: gone at once.
        assert _count(Conversation, Conversation.id == other_conversation) == 0
        assert _count(Message, Message.body_source.in_(["Miasecret to the nurse", "Miaroom hello"])) == 0
        # Needed by the open report: both sides kept, the reported message still pointing at the tombstone.
        kept = {m.body_source: m.author_id for m in db.session.scalars(
            select(Message).where(Message.conversation_id == reported_conversation))}  # fmt: skip
        assert kept == {"Miahurtful words": mia_id, "Ottoreply please stop": world.ids["otto"], "Mialater": mia_id}
        assert [n.body for n in db.session.scalars(select(ModeratorNote))] == ["Notetext: mia was warned before"]
        assert db.session.scalar(select(ErasureHold.mode).where(ErasureHold.user_id == mia_id)) == "remove"
        (erased,) = _audit("account.erased")
        assert erased.actor_id == mia_id and erased.details["held_for_open_matters"]["private_conversations"] == 1
    assert post_form(app.test_client(), "/login", {"login": "mia", "password": PASSWORD}).status_code == 400

    # The moderator still sees the evidence, under "former member" and not under her name.
    page = world.client("mona").get(f"/moderation/items/{item_id}").get_data(as_text=True)
    assert "Miahurtful words" in page and "former member" in page and "Mia Person" not in page

    with app.app_context():
        actions.act_on_item(world.user("mona"), item_id, "delete", reason="Hurtful to another member")
        db.session.commit()
        assert _count(Conversation, Conversation.id == reported_conversation) == 0
        assert _count(Message, Message.author_id == mia_id) == 0
        assert _count(ModeratorNote, ModeratorNote.subject_id == mia_id) == 0
        assert _count(ErasureHold) == 0
        (deleted,) = _audit("moderation.delete")
        assert deleted.actor_id == world.ids["mona"] and deleted.details["subject_id"] == mia_id
        (completed,) = _audit("account.erasure_completed")
        assert completed.target_id == mia_id and completed.details["private_conversations"] == 1


def test_a_reporter_deleting_their_account_does_not_take_the_evidence_against_someone_else_with_them(world):
    app = world.app
    conversation, said = _private(world, "mia", "otto", ("mia", "Miathreat"), ("otto", "Ottoanswer"))
    with app.app_context():
        otto = world.user("otto")
        reports.submit(otto, reports.reportable(otto, "message", said["Miathreat"]), "unsafe", "Ottoreportnote")
        db.session.commit()
        item_id = db.session.scalar(select(QueueItem.id).where(QueueItem.kind == "report"))

    _delete_account(world, "otto", "anonymise")

    with app.app_context():
        assert _count(Message, Message.conversation_id == conversation) == 2
        assert db.session.scalar(select(Report.note).where(Report.reporter_id == world.ids["otto"])) == "Ottoreportnote"
        actions.act_on_item(world.user("mona"), item_id, "dismiss", reason="")
        db.session.commit()
        assert _count(Conversation, Conversation.id == conversation) == 0
        assert db.session.scalar(select(Report.note).where(Report.reporter_id == world.ids["otto"])) == ""
        assert [e.target_id for e in _audit("account.erasure_completed")] == [world.ids["otto"]]
        (dismissed,) = _audit("moderation.dismiss")
        assert dismissed.actor_id == world.ids["mona"]


def test_an_open_safeguarding_case_keeps_its_texts_and_post_until_it_is_closed(world):
    app, mia_id = world.app, world.ids["mia"]
    with app.app_context():
        mia = world.user("mia")
        access = groups.open_group(mia, world.slug)
        worried = forum.create_topic(mia, access, title="A hard week", body="Miapost about a hard week").post.id
        other = forum.create_topic(mia, access, title="Recipes", body="Miarecipe for soup").post.id
        otto, mona = world.user("otto"), world.user("mona")
        about = forum_services.concern_about_post(worried)
        case_id = safeguarding.raise_concern(otto, about, note="Ottoworry about mia").case.id
        safeguarding.add_note(mona, case_id, "Handover: mia seemed low")
        db.session.commit()

    _delete_account(world, "mia", "anonymise")

    with app.app_context():
        case = db.session.get(SafeguardingCase, case_id)
        assert case.raised_note == "Ottoworry about mia"
        assert [n.body for n in db.session.scalars(select(SafeguardingNote))] == ["Handover: mia seemed low"]
        assert db.session.get(Post, worried).author_id == mia_id  # the case's post: kept as it is
        assert db.session.get(Post, other).author_id is None  # anonymised at once
        assert db.session.get(User, mia_id).display_name == "former member"

        safeguarding.close_case(world.user("mona"), case_id, outcome="member_contacted", note="Phoned her")
        db.session.commit()
        case = db.session.get(SafeguardingCase, case_id)
        assert (case.raised_note, case.outcome_note) == ("", "")
        assert [n.body for n in db.session.scalars(select(SafeguardingNote))] == [REMOVED_TEXT]
        post = db.session.get(Post, worried)
        assert post.author_id is None and post.body_source == "Miapost about a hard week"  # anonymise: words stay
        assert _count(ErasureHold) == 0
        (closed,) = _audit("safeguarding.case_closed")
        assert closed.actor_id == world.ids["mona"] and closed.target_id == case_id
        assert [e.target_id for e in _audit("account.erasure_completed")] == [mia_id]
