"""Requests: "I'd like to talk with ...", accept (a private conversation opens through chat), decline with a
suggested colleague, limits, pausing and being away, and who may see a request."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask
from sqlalchemy import func, select

from community.chat.models import Conversation, ConversationParticipant
from community.extensions import db
from community.notifications.models import EmailOutbox, Notification
from community.professionals.local_time import local_now
from community.professionals.models import ProfessionalProfile, ProfessionalRequest
from tests.factories import post_form, sign_in


def client_of(app: Flask, username: str):
    client = app.test_client()
    sign_in(client, username)
    return client


def ask(client, profile_id: int, message: str = "Could we talk about sleep?", **extra):
    return post_form(client, f"/professionals/{profile_id}/request", {"message": message, **extra},
                     form_page=f"/professionals/{profile_id}")  # fmt: skip


def request_count(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(ProfessionalRequest))


def only_request(app: Flask) -> ProfessionalRequest:
    with app.app_context():
        request = db.session.scalars(select(ProfessionalRequest)).one()
        db.session.expunge(request)
        return request


def test_request_accept_opens_a_private_conversation_and_tells_the_member(db_app, world):
    db_app.extensions.pop("kring_outbox", None)
    member = client_of(db_app, "alex")
    response = ask(member, world.profile.id, email_me="y")
    assert response.status_code == 303
    request = only_request(db_app)
    assert (request.member_id, request.professional_id, request.group_id) == (world.member.id, world.pro.id,
                                                                              world.group.id)  # fmt: skip
    page = member.get(f"/professionals/requests/{request.id}").get_data(as_text=True)
    assert "Waiting for an answer" in page and "When you can expect an answer" in page and "Available now" in page
    pro = client_of(db_app, "ingrid")
    assert "From Alex" in pro.get("/professionals/requests").get_data(as_text=True)
    accepted = post_form(pro, f"/professionals/requests/{request.id}/accept", {},
                         form_page=f"/professionals/requests/{request.id}")  # fmt: skip
    assert accepted.status_code == 303
    with db_app.app_context():
        stored = db.session.get(ProfessionalRequest, request.id)
        assert stored.state == "accepted" and stored.conversation_id is not None
        conversation = db.session.get(Conversation, stored.conversation_id)
        assert (conversation.kind, conversation.group_id) == ("private", world.group.id)
        participants = set(
            db.session.scalars(
                select(ConversationParticipant.user_id).where(
                    ConversationParticipant.conversation_id == conversation.id
                )
            )
        )
        assert participants == {world.member.id, world.pro.id}
        kinds = db.session.scalars(select(Notification.kind).order_by(Notification.id)).all()
        assert kinds == ["request_received", "request_accepted"]
    assert accepted.headers["Location"].endswith(f"/conversations/{stored.conversation_id}")
    assert member.get(f"/conversations/{stored.conversation_id}").status_code == 200
    # The member opted in: one email, a link and no content.
    [mail] = db_app.extensions["kring_outbox"]
    body = mail.get_content()
    assert f"/professionals/requests/{request.id}" in body and "sleep" not in body
    assert mail["To"] == "alex@example.org"
    with db_app.app_context():
        assert _queued_emails("request_accepted") == 0, "the email with the link is the only one"


def test_no_email_without_opting_in(db_app, world):
    db_app.extensions.pop("kring_outbox", None)
    member, pro = client_of(db_app, "alex"), client_of(db_app, "ingrid")
    ask(member, world.profile.id)
    request = only_request(db_app)
    post_form(
        pro, f"/professionals/requests/{request.id}/accept", {}, form_page=f"/professionals/requests/{request.id}"
    )
    assert db_app.extensions.get("kring_outbox", []) == []
    with db_app.app_context():
        assert _queued_emails("request_accepted") == 0, "not chosen on the request: no email later either"


def _queued_emails(kind: str) -> int:
    return db.session.scalar(select(func.count()).select_from(EmailOutbox).where(EmailOutbox.kind == kind))


def test_decline_with_a_suggested_colleague(db_app, world):
    member, pro = client_of(db_app, "alex"), client_of(db_app, "ingrid")
    ask(member, world.profile.id)
    request = only_request(db_app)
    page = f"/professionals/requests/{request.id}"
    # Only colleagues of the request's group may be suggested.
    wrong = post_form(pro, f"{page}/decline", {"note": "Sorry", "suggested_profile_id": str(world.other_profile.id)},
                      form_page=page)  # fmt: skip
    assert wrong.status_code == 400 and "Choose a colleague from the list." in wrong.get_data(as_text=True)
    assert only_request(db_app).state == "open"
    declined = post_form(pro, f"{page}/decline",
                         {"note": "I am full this month.", "suggested_profile_id": str(world.colleague_profile.id)},
                         form_page=page)  # fmt: skip
    assert declined.status_code == 303
    seen = member.get(page).get_data(as_text=True)
    assert "I am full this month." in seen
    assert f'href="/professionals/{world.colleague_profile.id}"' in seen and "Bram" in seen
    # Decided once: a second answer is refused.
    again = post_form(pro, f"{page}/accept", {}, form_page=page)
    assert again.status_code == 400
    with db_app.app_context():
        assert db.session.get(ProfessionalRequest, request.id).state == "declined"


def test_duplicate_requests_are_refused(db_app, world):
    member = client_of(db_app, "alex")
    ask(member, world.profile.id)
    again = ask(member, world.profile.id, "Again")
    assert again.status_code == 400
    assert "You have already asked Nurse Ingrid." in again.get_data(as_text=True)
    assert request_count(db_app) == 1


def test_open_requests_are_limited(db_app, world):
    db_app.config["PROFESSIONAL_OPEN_REQUESTS_MAX"] = 1
    member = client_of(db_app, "alex")
    assert ask(member, world.profile.id).status_code == 303
    refused = ask(member, world.colleague_profile.id)
    assert refused.status_code == 400
    assert "You already have 1 open requests, the most at one time." in refused.get_data(as_text=True)
    assert request_count(db_app) == 1
    # Withdrawing one makes room again.
    request = only_request(db_app)
    post_form(member, f"/professionals/requests/{request.id}/withdraw", {},
              form_page=f"/professionals/requests/{request.id}")  # fmt: skip
    assert ask(member, world.colleague_profile.id).status_code == 303


def test_paused_and_away_professionals_refuse_new_requests(db_app, world):
    member = client_of(db_app, "alex")
    with db_app.app_context():
        db.session.get(ProfessionalProfile, world.profile.id).paused = True
        away = local_now().date() + timedelta(days=3)
        db.session.get(ProfessionalProfile, world.colleague_profile.id).away_until = away
        db.session.commit()
    paused = ask(member, world.profile.id)
    assert paused.status_code == 400
    assert "Nurse Ingrid is not taking new requests at the moment." in paused.get_data(as_text=True)
    assert "not taking new requests" in member.get(f"/professionals/{world.profile.id}").get_data(as_text=True)
    away_response = ask(member, world.colleague_profile.id)
    assert away_response.status_code == 400 and "Bram is away until" in away_response.get_data(as_text=True)
    assert request_count(db_app) == 0


def test_professional_can_pause_from_their_page(db_app, world):
    pro, member = client_of(db_app, "ingrid"), client_of(db_app, "alex")
    post_form(pro, "/professionals/me/availability", {"day_0_start": "09:00", "day_0_end": "17:00", "paused": "y"},
              form_page="/professionals/me")  # fmt: skip
    assert ask(member, world.profile.id).status_code == 400
    post_form(pro, "/professionals/me/availability", {"day_0_start": "09:00", "day_0_end": "17:00"},
              form_page="/professionals/me")  # fmt: skip
    assert ask(member, world.profile.id).status_code == 303


def test_requests_outside_the_members_groups_are_not_found(db_app, world):
    outsider = client_of(db_app, "sam")
    response = post_form(outsider, f"/professionals/{world.profile.id}/request", {"message": "Hi"},
                         form_page="/professionals")  # fmt: skip
    assert response.status_code == 404
    assert request_count(db_app) == 0


def test_over_long_message_is_refused(db_app, world):
    member = client_of(db_app, "alex")
    response = ask(member, world.profile.id, "x" * 501)
    assert response.status_code == 400
    assert "The message can be at most 500 characters (now 501)." in response.get_data(as_text=True)
    assert request_count(db_app) == 0


def test_request_visibility_for_every_role(db_app, world):
    ask(client_of(db_app, "alex"), world.profile.id)
    request = only_request(db_app)
    path = f"/professionals/requests/{request.id}"
    expected = {"alex": 200, "ingrid": 200, "bram": 404, "sam": 404, "ravi": 404, "admin": 404}
    for username, status in expected.items():
        assert client_of(db_app, username).get(path).status_code == status, username
    assert db_app.test_client().get(path).status_code == 302
    # Only the addressed professional decides; the member cannot accept their own request.
    member = client_of(db_app, "alex")
    refused = post_form(member, f"{path}/accept", {}, form_page=path)
    assert refused.status_code == 403
    assert "Only the professional this request is addressed to can answer it." in refused.get_data(as_text=True)
    assert post_form(member, f"{path}/decline", {"note": "x"}, form_page=path).status_code == 403
    colleague = client_of(db_app, "bram")
    assert post_form(colleague, f"{path}/accept", {}, form_page="/professionals/requests").status_code == 404
    assert only_request(db_app).state == "open"


def test_crisis_language_in_a_request_reaches_the_professional_and_the_queue(db_app, world):
    from community.moderation.models import QueueItem

    member = client_of(db_app, "alex")
    response = ask(member, world.profile.id, "I just want to die, can we talk")
    assert response.status_code == 303
    page = member.get(response.headers["Location"]).get_data(as_text=True)
    assert "flash--notice" in page and 'href="/help"' in page
    request = only_request(db_app)
    with db_app.app_context():
        [item] = db.session.scalars(select(QueueItem).where(QueueItem.target_type == "pro_request")).all()
        assert (item.target_id, item.group_id) == (request.id, world.group.id)
    assert "can we talk" in client_of(db_app, "ingrid").get(f"/professionals/requests/{request.id}").get_data(
        as_text=True
    )
