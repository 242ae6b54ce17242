"""Held questions to a group's professionals and held requests to talk with one, in the moderators' queue:
shown with their text and member, approved (passed on) or refused with a reason the member reads."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import select

from community.core.audit import AuditEntry
from community.extensions import db
from community.groups.models import Group
from community.moderation.models import ModerationAction, QueueItem
from community.notifications.models import Notification
from community.professionals import questions
from community.professionals.models import ProfessionalQuestion, ProfessionalRequest
from tests.factories import post_form
from tests.professionals.conftest import World, build_world
from tests.professionals.test_questions import ask, client_of
from tests.professionals.test_requests import ask as send_request

QUESTION_TEXT = "Is it normal that he sleeps so much after the new medicine?"
REQUEST_TEXT = "Could we talk about his sleep next week?"


@pytest.fixture
def world(db_app: Flask, tmp_path) -> World:
    db_app.config["PROFESSIONAL_PHOTO_DIR"] = str(tmp_path / "photos")
    with db_app.app_context():
        built = build_world()
        db.session.get(Group, built.group.id).premoderation = "all"  # every member's text is held
        db.session.commit()
        for value in vars(built).values():
            db.session.refresh(value)
        db.session.expunge_all()
    return built


def held_item(app: Flask, target_type: str) -> QueueItem:
    with app.app_context():
        [item] = db.session.scalars(select(QueueItem).where(QueueItem.target_type == target_type)).all()
        db.session.expunge(item)
        return item


def act(client, item_id: int, action: str, **data):
    page = f"/moderation/items/{item_id}"
    return post_form(client, f"{page}/act", {"action": action, **data}, form_page=page)


def stored(app: Flask, model, row_id: int):
    with app.app_context():
        row = db.session.get(model, row_id)
        db.session.expunge(row)
        return row


def audit_rows(app: Flask, action: str, target_type: str) -> list[AuditEntry]:
    with app.app_context():
        return list(
            db.session.scalars(
                select(AuditEntry).where(AuditEntry.action == action, AuditEntry.target_type == target_type)
            )
        )


def test_a_held_question_shows_in_the_queue_and_approving_passes_it_on(db_app, world):
    assert ask(client_of(db_app, "alex"), world.group.slug, QUESTION_TEXT).status_code == 303
    item = held_item(db_app, "pro_question")
    assert stored(db_app, ProfessionalQuestion, item.target_id).state == "held"
    admin = client_of(db_app, "admin")
    queue_page = admin.get(f"/moderation/g/{world.group.id}").get_data(as_text=True)
    assert "a question to the professionals" in queue_page
    page = admin.get(f"/moderation/items/{item.id}").get_data(as_text=True)
    assert QUESTION_TEXT in page and "Alex" in page
    assert "Approve: pass it on to the professionals" in page
    assert 'value="rephrase"' not in page and 'value="edit_approve"' not in page  # only approve or refuse

    assert act(admin, item.id, "approve").status_code == 303
    question = stored(db_app, ProfessionalQuestion, item.target_id)
    assert (question.state, question.status) == ("published", "waiting")
    assert stored(db_app, QueueItem, item.id).resolution == "approve"
    [row] = audit_rows(db_app, "moderation.approve", "pro_question")
    assert row.target_id == question.id and row.group_id == world.group.id
    with db_app.app_context():
        pro = db.session.get(type(world.pro), world.pro.id)
        assert [w.question.id for w in questions.waiting_for(pro)] == [question.id]


def test_refusing_a_held_question_tells_the_member_why_and_takes_it_off_the_teams_list(db_app, world):
    member = client_of(db_app, "alex")
    ask(member, world.group.slug, QUESTION_TEXT)
    item = held_item(db_app, "pro_question")
    admin = client_of(db_app, "admin")
    response = act(admin, item.id, "refuse")  # no reason: refused with a clear error, nothing changed
    assert response.status_code == 400 and "Write a short reason" in response.get_data(as_text=True)
    assert stored(db_app, ProfessionalQuestion, item.target_id).state == "held"
    assert stored(db_app, QueueItem, item.id).resolved_at is None

    assert act(admin, item.id, "rephrase", reason="Shorter please").status_code == 400
    assert stored(db_app, QueueItem, item.id).resolved_at is None

    reason = "Please ask this in the medicine topic instead."
    assert act(admin, item.id, "refuse", reason=reason).status_code == 303
    question = stored(db_app, ProfessionalQuestion, item.target_id)
    assert (question.state, question.status) == ("refused", "closed")
    [row] = audit_rows(db_app, "moderation.refuse", "pro_question")
    assert row.reason == reason
    with db_app.app_context():
        pro = db.session.get(type(world.pro), world.pro.id)
        assert questions.waiting_for(pro) == [] and questions.waiting_count(pro) == 0
        decision = db.session.scalar(select(ModerationAction).where(ModerationAction.target_type == "pro_question"))
        told = db.session.scalar(
            select(Notification).where(
                Notification.user_id == world.member.id, Notification.kind == "moderation_outcome"
            )
        )
        assert told is not None and told.target_id == decision.id
    assert reason in member.get(f"/moderation/decisions/{decision.id}").get_data(as_text=True)
    page = member.get(f"/g/{world.group.slug}/questions/{question.id}").get_data(as_text=True)
    assert "The moderators did not pass this question on" in page
    # The team cannot pick it up any more.
    pro_client = client_of(db_app, "ingrid")
    path = f"/g/{world.group.slug}/questions/{question.id}"
    assert "Pick up this question" not in pro_client.get(path).get_data(as_text=True)


def test_a_held_request_is_approved_for_the_professional_or_refused_with_a_reason(db_app, world):
    member = client_of(db_app, "alex")
    assert send_request(member, world.profile.id, REQUEST_TEXT).status_code == 303
    item = held_item(db_app, "pro_request")
    admin = client_of(db_app, "admin")
    page = admin.get(f"/moderation/items/{item.id}").get_data(as_text=True)
    assert REQUEST_TEXT in page and "Alex" in page and "A request to talk with Ingrid" in page

    reason = "Please do not share your address in a request."
    assert act(admin, item.id, "refuse", reason=reason).status_code == 303
    request = stored(db_app, ProfessionalRequest, item.target_id)
    assert (request.state, request.decline_note) == ("declined", reason)
    assert reason in member.get(f"/professionals/requests/{request.id}").get_data(as_text=True)
    [row] = audit_rows(db_app, "moderation.refuse", "pro_request")
    assert row.target_id == request.id
    with db_app.app_context():
        assert db.session.scalar(
            select(Notification.id).where(
                Notification.user_id == world.member.id, Notification.kind == "moderation_outcome"
            )
        )


def test_an_approved_request_stays_open_for_the_professional_to_accept(db_app, world):
    member = client_of(db_app, "alex")
    send_request(member, world.profile.id, REQUEST_TEXT)
    item = held_item(db_app, "pro_request")
    moderator = client_of(db_app, "bram")  # a moderator of the group (a professional colleague)
    assert act(moderator, item.id, "approve").status_code == 303
    request = stored(db_app, ProfessionalRequest, item.target_id)
    assert request.state == "open"
    assert stored(db_app, QueueItem, item.id).resolution == "approve"
    assert len(audit_rows(db_app, "moderation.approve", "pro_request")) == 1
    # A second decision on the closed item is refused and changes nothing.
    assert act(moderator, item.id, "refuse", reason="Too late").status_code == 400
    assert stored(db_app, ProfessionalRequest, item.target_id).state == "open"
    pro = client_of(db_app, "ingrid")
    path = f"/professionals/requests/{request.id}"
    assert post_form(pro, f"{path}/accept", {}, form_page=path).status_code == 303
    assert stored(db_app, ProfessionalRequest, request.id).state == "accepted"


def test_members_cannot_open_or_act_on_a_held_question(db_app, world):
    ask(client_of(db_app, "alex"), world.group.slug, QUESTION_TEXT)
    item = held_item(db_app, "pro_question")
    other = client_of(db_app, "sam")
    assert other.get(f"/moderation/items/{item.id}").status_code == 404
    assert act(other, item.id, "approve").status_code == 404
    assert stored(db_app, ProfessionalQuestion, item.target_id).state == "held"


def appeal_item_id(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(
            select(QueueItem.id).where(QueueItem.kind == "appeal", QueueItem.resolved_at.is_(None))
        )


def test_a_refusal_undone_on_appeal_puts_the_question_and_the_request_back(db_app, world):
    member = client_of(db_app, "alex")
    ask(member, world.group.slug, QUESTION_TEXT)
    send_request(member, world.profile.id, REQUEST_TEXT)
    admin = client_of(db_app, "admin")
    for target_type in ("pro_question", "pro_request"):
        item = held_item(db_app, target_type)
        assert act(admin, item.id, "refuse", reason="Not for the professionals").status_code == 303
        with db_app.app_context():
            decision = db.session.scalar(select(ModerationAction.id).where(ModerationAction.target_type == target_type))
        path = f"/moderation/decisions/{decision}"
        response = post_form(member, path, {"which": "appeal", "appeal-note": "It really is a medical question"})
        assert response.status_code == 303
        # Bram, another moderator of the group, undoes it (the admin who refused may not while others exist).
        assert act(client_of(db_app, "bram"), appeal_item_id(db_app), "overturn", reason="Sorry").status_code == 303
    question = stored(db_app, ProfessionalQuestion, held_item(db_app, "pro_question").target_id)
    assert (question.state, question.status) == ("published", "waiting")
    request = stored(db_app, ProfessionalRequest, held_item(db_app, "pro_request").target_id)
    assert (request.state, request.decline_note, request.decided_at) == ("open", "", None)
    assert len(audit_rows(db_app, "moderation.appeal_overturned", "appeal")) == 2
