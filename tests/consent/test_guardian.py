"""Parental consent end to end: a minor signs up through an invitation, the guardian's mail is captured by a
real SMTP server (aiosmtpd on 127.0.0.1), the link opens a page in plain words, and the account opens only
after the guardian confirms. Forged, expired and replaced links are refused and change nothing."""

from __future__ import annotations

import re
import socket
from email import message_from_bytes
from email.message import Message

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select, update

from community.auth.models import User
from community.consent.models import GuardianConfirmation
from community.core.time import utcnow
from community.extensions import db
from community.groups import invitation_staff
from community.groups.models import Group
from tests.consent.helpers import build_world, publish_required, records
from tests.factories import post_form


class Inbox:
    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(message_from_bytes(envelope.content))
        return "250 OK"


@pytest.fixture
def smtp():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


@pytest.fixture
def world(db_app, smtp):
    _inbox, port = smtp
    db_app.config.update(MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=port)
    world = build_world(db_app)
    world.versions = publish_required(db_app)
    with db_app.app_context():
        group = db.session.scalar(select(Group))
        world.code = invitation_staff.create_code_invitation(world.user("admin1"), group, role="member").code
        db.session.commit()
    return world


def sign_up(world, client, **extra):
    this_year = utcnow().year
    data = {"username": "kid", "display_name": "Kiddo Star", "password": "a-long-test-password", "language": "en",
            "year_of_birth": str(this_year - 13), "consent": "y", "guardian_email": "parent@example.org",
            "consent_version": list(world.versions.values()), **extra}  # fmt: skip
    return post_form(client, f"/invite/{world.code}", data)


def link_in(message: Message) -> str:
    body = message.get_payload(decode=True).decode()
    return re.search(r"http://localhost(/guardian/\S+)", body).group(1)


def test_a_minor_waits_until_the_guardian_confirms_by_the_mailed_link(world, smtp):
    inbox, _port = smtp
    client = world.app.test_client()
    assert sign_up(world, client).status_code == 303
    # The account is pending: every page leads to the waiting page.
    response = client.get(f"/g/{world.slug}")
    assert response.status_code == 303 and response.headers["Location"] == "/consent/pending"
    assert "Waiting for your parent or guardian" in client.get("/consent/pending").get_data(as_text=True)

    [mail] = inbox.messages
    assert mail["To"] == "parent@example.org"
    body = mail.get_payload(decode=True).decode()
    assert "Kiddo" not in body and "Parents" not in body  # no member content, no group name
    link = link_in(mail)

    guardian = world.app.test_client()
    shown = guardian.get(link)
    page = shown.get_data(as_text=True)
    assert "Kiddo Star" in page and "in plain words" in page
    not_ticked = post_form(guardian, link, {})
    assert not_ticked.status_code == 400
    done = post_form(guardian, link, {"confirm": "y"})
    assert done.status_code == 200
    # A link with a secret in it (@token_page): no answer of it is kept by a cache.
    assert {r.headers["Cache-Control"] for r in (shown, not_ticked, done)} == {"no-store"}

    with world.app.app_context():
        kid = db.session.scalar(select(User).where(User.username == "kid"))
        row = db.session.scalar(select(GuardianConfirmation).where(GuardianConfirmation.user_id == kid.id))
        assert row.confirmed_at is not None and row.guardian_email == "parent@example.org"
        kid_id, row_id = kid.id, row.id
    stored = records(world.app, kid_id)
    by_guardian = [r for r in stored if r[6] == "guardian"]
    assert sorted(r[2] for r in by_guardian) == sorted(world.versions.values())
    assert all(r[4] == "guardian_link" for r in by_guardian)
    with world.app.app_context():
        from community.consent.models import ConsentRecord

        assert set(db.session.scalars(select(ConsentRecord.guardian_confirmation_id).where(
            ConsentRecord.confirmed_by == "guardian"))) == {row_id}  # fmt: skip
    assert client.get(f"/g/{world.slug}").status_code == 200
    # The link works once.
    used = guardian.get(link)
    assert used.status_code == 410 and used.headers["Cache-Control"] == "no-store"


def test_a_minor_without_a_guardian_address_is_refused_and_nothing_is_stored(world, smtp):
    inbox, _port = smtp
    client = world.app.test_client()
    response = sign_up(world, client, guardian_email="")
    assert response.status_code == 400 and "parent or guardian" in response.get_data(as_text=True)
    with world.app.app_context():
        assert db.session.scalar(select(User).where(User.username == "kid")) is None
    assert inbox.messages == []


def test_forged_expired_and_replaced_links_are_refused_and_change_nothing(world, smtp):
    inbox, _port = smtp
    client = world.app.test_client()
    sign_up(world, client)
    first = link_in(inbox.messages[0])
    guardian = world.app.test_client()

    assert guardian.get("/guardian/not-a-real-token").status_code == 404
    forged = first[:-3] + ("AAA" if not first.endswith("AAA") else "BBB")
    assert guardian.get(forged).status_code == 404
    assert post_form(guardian, forged, {"confirm": "y"}, form_page=first).status_code == 404

    # Send the link again from the waiting page: the first one stops working.
    assert post_form(client, "/consent/pending", {"guardian_email": ""}).status_code == 303
    second = link_in(inbox.messages[1])
    assert guardian.get(first).status_code == 410

    with world.app.app_context():
        db.session.execute(update(GuardianConfirmation).values(expires_at=utcnow().replace(year=2000)))
        db.session.commit()
    expired = guardian.get(second)
    assert expired.status_code == 410 and "expired" in expired.get_data(as_text=True)
    with world.app.app_context():
        row = db.session.scalar(select(GuardianConfirmation))
        assert row.confirmed_at is None
        kid_id = row.user_id
    assert [r for r in records(world.app, kid_id) if r[6] == "guardian"] == []
    assert client.get(f"/g/{world.slug}").status_code == 303
