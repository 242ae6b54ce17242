"""The calendar feed: a secret address per member (only its hash stored), shown once; by default each event is
"Kring event" and a link; only the member's own groups' events; renewing or revoking stops the old address."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import select

from community.auth.models import User
from community.events.models import CalendarFeed
from community.extensions import db
from community.groups.models import Membership
from tests.events.world import build_world
from tests.factories import post_form


@pytest.fixture
def world(app):
    return build_world(app)


def make_address(world, who: str) -> str:
    response = post_form(world.client(who), "/account/calendar/address", {}, form_page="/account/calendar")
    assert response.status_code == 200
    [address] = re.findall(r'id="calendar-address">([^<]+)<', response.get_data(as_text=True))
    assert address.startswith("http://localhost/calendar/") and address.endswith(".ics")
    return address.removeprefix("http://localhost")


def read_feed(app, path: str) -> list:
    response = app.test_client().get(path)  # a calendar app: no cookies
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert response.headers["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in response.headers
    return list(Calendar.from_ical(response.data).walk("VEVENT"))


def test_by_default_the_feed_shows_kring_event_and_a_link_nothing_of_the_group(app, world):
    event_id = world.planned(title="Parents' evening", place="School hall", link="https://meet.example.org/a")
    world.planned(slug=world.other_slug, who="mona", title="Others' meeting")  # mona plans in Others too
    path = make_address(world, "sam")
    [entry] = read_feed(app, path)
    assert str(entry["SUMMARY"]) == "Kring event"
    assert str(entry["URL"]) == f"http://localhost/events/{event_id}"
    assert str(entry["DESCRIPTION"]) == f"http://localhost/events/{event_id}"
    assert str(entry["STATUS"]) == "CONFIRMED"
    assert "LOCATION" not in entry
    text = app.test_client().get(path).get_data(as_text=True)
    for never in ("Parents", "School", "meet.example.org", "Others"):
        assert never not in text
    event = world.event(event_id)
    assert entry.decoded("DTSTART").replace(tzinfo=None) == event.starts_at
    assert entry.decoded("DTEND").replace(tzinfo=None) == event.ends_at


def test_a_member_who_chooses_details_gets_title_group_and_place(app, world):
    world.planned(title="Parents' evening", place="School hall", link="https://meet.example.org/a")
    path = make_address(world, "sam")
    response = post_form(world.client("sam"), "/account/calendar/details", {"show_details": "yes"},
                         form_page="/account/calendar")  # fmt: skip
    assert response.status_code == 303
    [entry] = read_feed(app, path)
    assert str(entry["SUMMARY"]) == "Parents' evening"
    assert str(entry["LOCATION"]) == "School hall"
    assert "Parents" in str(entry["DESCRIPTION"]) and "https://meet.example.org/a" in str(entry["DESCRIPTION"])


def test_only_the_hash_is_stored_and_the_address_is_not_shown_again(app, world):
    path = make_address(world, "sam")
    token = path.removeprefix("/calendar/").removesuffix(".ics")
    with app.app_context():
        feed = db.session.scalar(select(CalendarFeed))
        assert feed.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in world.client("sam").get("/account/calendar").get_data(as_text=True)


def test_renewing_stops_the_old_address_and_revoking_stops_the_new(app, world):
    world.planned()
    old = make_address(world, "sam")
    new = make_address(world, "sam")
    assert old != new
    assert app.test_client().get(old).status_code == 404
    assert len(read_feed(app, new)) == 1
    response = post_form(world.client("sam"), "/account/calendar/revoke", {}, form_page="/account/calendar")
    assert response.status_code == 303
    assert app.test_client().get(new).status_code == 404


def test_a_wrong_token_is_not_found_and_not_stored_by_caches(app, world):
    response = app.test_client().get("/calendar/not-a-real-token.ics")
    assert response.status_code == 404
    assert response.headers["Cache-Control"] == "no-store"


def test_another_members_groups_and_a_left_groups_events_are_not_in_the_feed(app, world):
    world.planned(slug=world.other_slug, who="mona")
    otto_path = make_address(world, "otto")
    sam_path = make_address(world, "sam")
    assert read_feed(app, sam_path) == []
    assert len(read_feed(app, otto_path)) == 1
    with app.app_context():
        db.session.execute(
            Membership.__table__.update().where(Membership.user_id == world.ids["otto"]).values(state="removed")
        )
        db.session.commit()
    assert read_feed(app, otto_path) == []


def test_a_cancelled_event_stays_in_as_cancelled_and_far_events_are_left_out(app, world):
    cancelled = world.planned()
    world.planned(starts_in=timedelta(days=400))
    post_form(world.client("pia"), f"{world.event_path(cancelled)}/cancel", {}, form_page="/account/calendar")
    [entry] = read_feed(app, make_address(world, "sam"))
    assert str(entry["STATUS"]) == "CANCELLED"


def test_a_suspended_account_feed_is_not_found(app, world):
    world.planned()
    path = make_address(world, "sam")
    with app.app_context():
        db.session.get(User, world.ids["sam"]).state = "suspended"
        db.session.commit()
    assert app.test_client().get(path).status_code == 404
