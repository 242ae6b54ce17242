"""Mail that a stranger's request can cause (a password-reset link, a sign-in warning) leaves after the commit
and off the request, so neither the answer nor its timing says whether an account exists."""

from __future__ import annotations

import re
import threading

import pytest
from flask import Flask, has_request_context

from community.auth import reset
from community.core import mail
from community.extensions import db
from tests.factories import make_user, post_form

SLOW_SERVER_SECONDS = 10


def outbox(app: Flask) -> list:
    return app.extensions.setdefault("kring_outbox", [])


def _page(response) -> str:
    return re.sub(r'value="[^"]*"', 'value=""', response.get_data(as_text=True))


@pytest.fixture
def sam(app: Flask) -> None:
    with app.app_context():
        make_user("sam", email="sam@example.org")


def test_the_reset_answer_is_the_same_page_for_an_existing_and_an_unknown_address(app, client, sam):
    known = post_form(client, "/reset-password", {"login": "sam@example.org"})
    unknown = post_form(client, "/reset-password", {"login": "nobody@example.org"})
    assert known.status_code == unknown.status_code == 200
    assert _page(known) == _page(unknown)
    assert [message["To"] for message in outbox(app)] == ["sam@example.org"]


def test_a_reset_link_is_not_sent_when_the_transaction_rolls_back(app, sam):
    with app.test_request_context("/reset-password"):
        reset.request_reset("sam@example.org")
        assert outbox(app) == [], "nothing leaves before the commit"
        db.session.rollback()
        db.session.commit()
    assert outbox(app) == [], "a rolled-back request sends nothing, not even at a later commit"


def test_a_reset_link_is_sent_once_the_transaction_commits(app, sam):
    with app.test_request_context("/reset-password"):
        reset.request_reset("sam@example.org")
        assert outbox(app) == []
        db.session.commit()
        assert [message["To"] for message in outbox(app)] == ["sam@example.org"]
        db.session.commit()
    assert len(outbox(app)) == 1, "sent once"


def test_a_mail_queued_in_a_savepoint_that_rolls_back_is_dropped_with_it(app, sam):
    with app.app_context():
        mail.send_after_commit("kept@example.org", "Kept", "Queued in the transaction.")
        savepoint = db.session.begin_nested()
        mail.send_after_commit("dropped@example.org", "Dropped", "Queued in the savepoint.")
        savepoint.rollback()
        released = db.session.begin_nested()
        mail.send_after_commit("released@example.org", "Released", "Queued in a savepoint that was released.")
        released.commit()
        assert outbox(app) == [], "releasing a savepoint is not the commit"
        db.session.commit()
    assert [message["To"] for message in outbox(app)] == ["kept@example.org", "released@example.org"]


class SlowMailServer:
    """Stands in for the transport: holds every send until the test lets it go, and notes where it ran."""

    def __init__(self) -> None:
        self.release, self.done = threading.Event(), threading.Event()
        self.sent: list[tuple[str, str]] = []
        self.inside_a_request: list[bool] = []

    def __call__(self, to: str, subject: str, body: str) -> None:
        self.inside_a_request.append(has_request_context())
        self.release.wait(SLOW_SERVER_SECONDS)
        self.sent.append((to, subject))
        self.done.set()


@pytest.fixture
def slow_server(app: Flask, monkeypatch: pytest.MonkeyPatch) -> SlowMailServer:
    app.config["MAIL_BACKEND"] = "smtp"
    server = SlowMailServer()
    monkeypatch.setattr(mail, "send_mail", server)
    return server


def test_a_slow_mail_server_does_not_hold_up_the_reset_answer(app, client, sam, slow_server):
    response = post_form(client, "/reset-password", {"login": "sam@example.org"})
    assert response.status_code == 200
    assert not slow_server.done.is_set(), "the answer came before the mail server finished"
    slow_server.release.set()
    assert slow_server.done.wait(SLOW_SERVER_SECONDS)
    assert slow_server.sent == [("sam@example.org", "Choose a new password for Kring")]
    assert slow_server.inside_a_request == [False]


def test_a_slow_mail_server_does_not_hold_up_a_refused_sign_in_that_warns_the_owner(app, client, sam, slow_server):
    for number in range(5):
        response = post_form(client, "/login", {"login": "sam", "password": f"wrong-guess-{number}"})
        assert response.status_code in (400, 429)
    assert not slow_server.done.is_set(), "every answer came before the mail server finished"
    slow_server.release.set()
    assert slow_server.done.wait(SLOW_SERVER_SECONDS)
    assert slow_server.sent == [("sam@example.org", "Someone tried to sign in to your account")]
    assert slow_server.inside_a_request == [False]
