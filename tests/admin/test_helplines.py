"""The installation's helplines, kept by admins: the table replaces the configured defaults once it has rows."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from community.auth.models import User
from community.extensions import db
from community.moderation.safeguarding import helplines
from community.moderation.safeguarding.helpline_models import HelplineEntry
from tests.admin.helpers import admin_client, audit_entries, build_world
from tests.factories import post_form, sign_in

LIST = "/admin/helplines"
GOOD = {
    "name": "Luisterlijn",
    "phone": "088 0767 000",
    "sms": "",
    "url": "https://www.deluisterlijn.nl",
    "hours": "Day and night",
    "description": "Someone to talk to.",
    "language": "nl",
    "topics": ["suicide"],
    "position": "5",
    "active": "y",
    "reason": "Asked by the board",
}


def stored(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(HelplineEntry))


def test_without_stored_helplines_the_configured_ones_are_shown(app):
    build_world(app)
    page = admin_client(app).get(LIST).get_data(as_text=True)
    assert "the installation's default helplines are shown" in page
    assert "113 Zelfmoordpreventie" in page
    with app.test_request_context():
        assert [line.name for line in helplines.helplines()][:1] == ["112"]


def test_an_admin_adds_a_helpline_and_it_replaces_the_defaults_for_its_language(app):
    build_world(app)
    client = admin_client(app)
    response = post_form(client, LIST, GOOD)
    assert response.status_code == 302
    (entry,) = audit_entries(app, "helpline.added")
    assert (entry.reason, entry.details["name"]) == ("Asked by the board", "Luisterlijn")
    with app.test_request_context():
        dutch = helplines.helplines("nl")
        assert [(line.name, line.phones, line.topics) for line in dutch] == [
            ("Luisterlijn", ("088 0767 000",), ("suicide",))
        ]
        assert helplines.helplines("en") == [], "a line for one language only is left out for the others"
    member = app.test_client()
    sign_in(member, "sam")
    with app.app_context():
        db.session.scalar(select(User).where(User.username_key == "sam")).language = "nl"
        db.session.commit()
    assert "Luisterlijn" in member.get("/help").get_data(as_text=True)


def test_an_admin_changes_hides_and_removes_a_helpline(app):
    build_world(app)
    client = admin_client(app)
    post_form(client, LIST, {**GOOD, "language": ""})
    with app.app_context():
        line_id = db.session.scalar(select(HelplineEntry.id))
    url = f"{LIST}/{line_id}"
    assert "Luisterlijn" in client.get(url).get_data(as_text=True)
    changed = {**GOOD, "language": "", "phone": "0800-1234", "reason": "New number"}
    changed.pop("active")
    assert post_form(client, url, changed).status_code == 302
    (entry,) = audit_entries(app, "helpline.changed")
    assert entry.details["changed"] == ["active", "phone"]
    with app.test_request_context():
        assert helplines.helplines()[0].name == "112", "nothing active is stored: the defaults are back"

    response = post_form(client, f"{url}/remove", {"remove-reason": ""}, form_page=url)
    assert response.status_code == 400
    assert stored(app) == 1
    assert post_form(client, f"{url}/remove", {"remove-reason": "Closed down"}, form_page=url).status_code == 302
    assert stored(app) == 0
    assert len(audit_entries(app, "helpline.removed")) == 1
    assert client.get(url).status_code == 404


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"reason": ""}, "Write down why the helplines change"),
        ({"name": "  "}, "Give the helpline&#39;s name."),
        ({"phone": "call me maybe"}, "A phone number has digits, spaces"),
        ({"sms": "12<script>"}, "A phone number has digits, spaces"),
        ({"url": "javascript:alert(1)"}, "Give a web address that starts with https://"),
        ({"url": "ftp://example.org"}, "Give a web address that starts with https://"),
        ({"phone": "", "sms": "", "url": ""}, "Give a phone number, a number to text, or a web address."),
        ({"language": "xx"}, "Choose one of the languages in the list"),
        ({"topics": ["gossip"]}, "Choose topics from the list."),
        ({"position": "1000"}, "Give a place in the list from 0 to 999."),
        ({"position": ""}, "Give a place in the list from 0 to 999."),
    ],
)
def test_bad_input_is_refused_with_a_clear_message_and_nothing_is_stored(app, change, message):
    build_world(app)
    response = post_form(admin_client(app), LIST, {**GOOD, **change})
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert stored(app) == 0
    assert audit_entries(app, "helpline.added") == []


def test_the_helpline_pages_are_404_for_members(app):
    build_world(app)
    member = app.test_client()
    sign_in(member, "sam")
    assert member.get(LIST).status_code == 404
    assert member.post(LIST, data=GOOD).status_code in (400, 404)
    assert stored(app) == 0
