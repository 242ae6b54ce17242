"""Asking a group's professionals: the question reaches the team, exactly one professional picks it up (also
under concurrent pick-up, on SQLite and PostgreSQL), the member sees the answer and is told in-app and, if
they chose, by email with a link only."""

from __future__ import annotations

import re
import threading
from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import func, select

from community.core.errors import DomainError
from community.extensions import db
from community.groups.services import open_group
from community.notifications.models import EmailOutbox, Notification
from community.professionals import questions
from community.professionals.models import ProfessionalQuestion
from tests.conftest import _fresh_schema, build_app
from tests.factories import add_to_group, make_group, make_user, post_form, sign_in


def client_of(app: Flask, username: str):
    client = app.test_client()
    sign_in(client, username)
    return client


def ask(client, slug: str, body: str = "Is it normal that he sleeps so much after the new medicine?", **extra):
    page = client.get(f"/g/{slug}/ask").get_data(as_text=True)
    token = re.search(r'name="client_token"[^>]*value="([^"]+)"', page).group(1)
    return post_form(
        client, f"/g/{slug}/ask", {"body": body, "client_token": token, **extra}, form_page=f"/g/{slug}/ask"
    )


def only_question(app: Flask) -> ProfessionalQuestion:
    with app.app_context():
        question = db.session.scalars(select(ProfessionalQuestion)).one()
        db.session.expunge(question)
        return question


def question_count(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(ProfessionalQuestion))


def test_ask_pick_up_answer_and_the_member_is_told(db_app, world):
    db_app.extensions.pop("kring_outbox", None)
    slug = world.group.slug
    member = client_of(db_app, "alex")
    assert "Ask a question" in member.get(f"/g/{slug}").get_data(as_text=True)
    response = ask(member, slug, email_me="y")
    assert response.status_code == 303
    question = only_question(db_app)
    page = f"/g/{slug}/questions/{question.id}"
    assert "Waiting for a professional" in member.get(page).get_data(as_text=True)
    ingrid, bram = client_of(db_app, "ingrid"), client_of(db_app, "bram")
    listing = ingrid.get("/professionals/questions").get_data(as_text=True)
    assert "Question from Alex" in listing
    assert post_form(ingrid, f"{page}/claim", {}, form_page=page).status_code == 303
    # The colleague sees it is taken and cannot pick it up or answer it.
    assert "Nurse Ingrid has picked up this question" not in bram.get(page).get_data(as_text=True)
    assert "Ingrid has picked up this question" in bram.get(page).get_data(as_text=True)
    refused = post_form(bram, f"{page}/claim", {}, form_page=page, follow_redirects=True)
    assert "Ingrid has already picked up this question." in refused.get_data(as_text=True)
    not_theirs = post_form(bram, f"{page}/answer", {"body": "Me too"}, form_page=page)
    assert not_theirs.status_code == 400
    answered = post_form(ingrid, f"{page}/answer", {"body": "Yes, for the **first week**."}, form_page=page)
    assert answered.status_code == 303
    seen = member.get(page).get_data(as_text=True)
    assert "<strong>first week</strong>" in seen and "Answered by Ingrid" in seen
    with db_app.app_context():
        stored = db.session.get(ProfessionalQuestion, question.id)
        assert (stored.status, stored.claimed_by_id) == ("answered", world.pro.id)
        told = db.session.scalars(select(Notification.user_id).where(Notification.kind == "professional_answer")).all()
        assert told == [world.member.id]
        team = set(db.session.scalars(select(Notification.user_id).where(Notification.kind == "question_waiting")))
        assert team == {world.pro.id, world.colleague.id}
    [mail] = db_app.extensions["kring_outbox"]
    body = mail.get_content()
    assert page in body and "first week" not in body and "medicine" not in body
    with db_app.app_context():
        assert _queued_answer_emails() == 0, "the email with the link is the only one: no second from the outbox"


def test_no_email_unless_chosen(db_app, world):
    db_app.extensions.pop("kring_outbox", None)
    slug = world.group.slug
    ask(client_of(db_app, "alex"), slug)
    question = only_question(db_app)
    with db_app.app_context():
        pro = db.session.get(type(world.pro), world.pro.id)
        access = open_group(pro, slug)
        questions.claim(pro, access, question.id)
        questions.answer(pro, access, question.id, body="Yes.")
        db.session.commit()
    assert db_app.extensions.get("kring_outbox", []) == []
    with db_app.app_context():
        assert _queued_answer_emails() == 0, "not chosen on the question: no email later either"
        [told] = db.session.scalars(select(Notification).where(Notification.kind == "professional_answer"))
        assert told.in_app and told.email_mode == "never"


def _queued_answer_emails() -> int:
    return db.session.scalar(
        select(func.count()).select_from(EmailOutbox).where(EmailOutbox.kind == "professional_answer")
    )


def test_resubmitting_the_same_form_stores_one_question(db_app, world):
    member = client_of(db_app, "alex")
    slug = world.group.slug
    token_page = member.get(f"/g/{slug}/ask").get_data(as_text=True)
    token = re.search(r'name="client_token"[^>]*value="([^"]+)"', token_page).group(1)
    for _ in range(2):
        post_form(member, f"/g/{slug}/ask", {"body": "Same", "client_token": token}, form_page=f"/g/{slug}/ask")
    assert question_count(db_app) == 1


@pytest.mark.parametrize(("body", "message"), [("", "Write your question."), ("x" * 4001, "at most 4000 characters")])
def test_bad_questions_are_refused_and_nothing_is_stored(db_app, world, body, message):
    response = ask(client_of(db_app, "alex"), world.group.slug, body)
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert question_count(db_app) == 0
    with db_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Notification)) == 0


def test_question_visibility_for_every_role(db_app, world):
    clients = {name: client_of(db_app, name) for name in ("alex", "ingrid", "bram", "sam", "ravi", "admin")}
    ask(clients["alex"], world.group.slug)
    question = only_question(db_app)
    path = f"/g/{world.group.slug}/questions/{question.id}"
    expected = {"alex": 200, "ingrid": 200, "bram": 200, "sam": 404, "ravi": 404, "admin": 404}
    for username, status in expected.items():
        assert clients[username].get(path).status_code == status, username
    assert db_app.test_client().get(path).status_code == 302
    # Another member of the same group does not see it.
    with db_app.app_context():
        admin = db.session.get(type(world.admin), world.admin.id)
        fatima = make_user("fatima")
        add_to_group(admin, db.session.get(type(world.group), world.group.id), fatima)
    assert client_of(db_app, "fatima").get(path).status_code == 404
    # The member who asked cannot pick it up; neither can a professional of another group.
    assert post_form(clients["alex"], f"{path}/claim", {}, form_page=path).status_code == 404
    assert post_form(clients["ravi"], f"{path}/claim", {}, form_page="/professionals").status_code == 404
    assert only_question(db_app).status == "waiting"
    assert clients["alex"].get("/professionals/questions").status_code == 404


def test_staff_see_questions_waiting_longest_first_with_their_age(db_app, world):
    member = client_of(db_app, "alex")
    ask(member, world.group.slug, "First question")
    ask(member, world.group.slug, "Second question")
    with db_app.app_context():
        first, second = db.session.scalars(select(ProfessionalQuestion).order_by(ProfessionalQuestion.id)).all()
        second.created_at = first.created_at - timedelta(hours=5)  # the second has waited longest
        db.session.commit()
        second_id, first_id = second.id, first.id
    html = client_of(db_app, "ingrid").get("/professionals/questions").get_data(as_text=True)
    assert html.index(f"/questions/{second_id}") < html.index(f"/questions/{first_id}")
    assert "5 hours" in html


def test_a_group_without_professionals_cannot_be_asked(db_app, world):
    with db_app.app_context():
        admin = db.session.get(type(world.admin), world.admin.id)
        lonely = make_group(admin, "No staff")
        add_to_group(admin, lonely, db.session.get(type(world.member), world.member.id))
        slug = lonely.slug
    member = client_of(db_app, "alex")
    assert "no professionals" in member.get(f"/g/{slug}/ask").get_data(as_text=True)
    response = post_form(
        member, f"/g/{slug}/ask", {"body": "Hello?", "client_token": "a" * 32}, form_page=f"/g/{slug}/ask"
    )
    assert response.status_code == 400 and "This group has no professionals to ask" in response.get_data(as_text=True)
    assert question_count(db_app) == 0


# --- concurrent pick-up ------------------------------------------------------------------------------------


@pytest.fixture(params=["sqlite", "postgresql"])
def file_app(request, tmp_path):
    """Concurrency needs real connections: a SQLite file (not the in-memory database) or PostgreSQL."""
    url = f"sqlite:///{tmp_path}/race.db" if request.param == "sqlite" else request.getfixturevalue("postgres_url")
    yield from _fresh_schema(build_app(url))


def test_concurrent_pick_up_exactly_one_professional_wins(file_app):
    app = file_app
    with app.app_context():
        admin = make_user("admin", admin=True)
        group = make_group(admin, "Parents")
        member, first, second = make_user("alex"), make_user("ingrid"), make_user("bram")
        add_to_group(admin, group, member)
        add_to_group(admin, group, first, role="moderator")
        add_to_group(admin, group, second, role="moderator")
        question = questions.ask(member, open_group(member, group.slug), body="Who takes this?", email_me=False,
                                 client_token="race-token-1").question  # fmt: skip
        db.session.commit()
        ids, question_id, slug = (first.id, second.id), question.id, group.slug

    for _round in range(3):  # a few rounds: the race must hold however the threads interleave
        barrier = threading.Barrier(2)
        outcomes: dict[int, str] = {}

        def pick_up(user_id: int, barrier=barrier, outcomes=outcomes) -> None:
            with app.app_context():
                user = db.session.get(type(admin), user_id)
                access = open_group(user, slug)
                barrier.wait()
                try:
                    questions.claim(user, access, question_id)
                    db.session.commit()
                    outcomes[user_id] = "won"
                except DomainError:
                    db.session.rollback()
                    outcomes[user_id] = "taken"
                finally:
                    db.session.remove()

        threads = [threading.Thread(target=pick_up, args=(user_id,)) for user_id in ids]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        assert sorted(outcomes.values()) == ["taken", "won"]
        with app.app_context():
            stored = db.session.get(ProfessionalQuestion, question_id)
            winner = next(user_id for user_id, outcome in outcomes.items() if outcome == "won")
            assert (stored.status, stored.claimed_by_id) == ("taken", winner)
            # Put it back for the next round.
            stored.status, stored.claimed_by_id, stored.claimed_at = "waiting", None, None
            db.session.commit()


def test_crisis_language_in_a_question_is_never_dropped(db_app, world):
    """The question still reaches the team, it is queued for the moderators as urgent, and the writer sees
    where to get help at once."""
    from community.moderation.models import QueueItem

    member = client_of(db_app, "alex")
    response = ask(member, world.group.slug, "Sometimes I just want to die.")
    assert response.status_code == 303
    page = member.get(response.headers["Location"]).get_data(as_text=True)
    assert "flash--notice" in page and 'href="/help"' in page  # the helpline notice, shown at once
    question = only_question(db_app)
    assert (question.state, question.status) == ("held", "waiting")
    with db_app.app_context():
        [item] = db.session.scalars(select(QueueItem).where(QueueItem.target_type == "pro_question")).all()
        assert item.target_id == question.id and item.group_id == world.group.id
        team = set(db.session.scalars(select(Notification.user_id).where(Notification.kind == "question_waiting")))
        assert team == {world.pro.id, world.colleague.id}


def test_no_member_text_or_email_address_reaches_the_logs(db_app, world, caplog):
    import logging

    caplog.set_level(logging.DEBUG)
    secret_question, secret_answer = "Secret question about Timo's tube feeding", "Secret answer on feeding pumps"
    member, pro = client_of(db_app, "alex"), client_of(db_app, "ingrid")
    ask(member, world.group.slug, secret_question, email_me="y")
    question = only_question(db_app)
    page = f"/g/{world.group.slug}/questions/{question.id}"
    post_form(pro, f"{page}/claim", {}, form_page=page)
    post_form(pro, f"{page}/answer", {"body": secret_answer}, form_page=page)
    post_form(member, f"/professionals/{world.profile.id}/request", {"message": "Secret request text"},
              form_page=f"/professionals/{world.profile.id}")  # fmt: skip
    assert only_question(db_app).status == "answered"
    logged = "\n".join(record.getMessage() for record in caplog.records)
    for private in (secret_question, secret_answer, "Secret request text", "alex@example.org"):
        assert private not in logged
