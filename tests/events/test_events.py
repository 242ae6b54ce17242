"""Planning, reading, answering and cancelling a group's events, through the pages."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from community.core.audit import AuditEntry
from community.core.time import utcnow
from community.events.models import Event, Rsvp
from community.extensions import db
from community.notifications.models import Notification
from tests.events.world import build_world, local
from tests.factories import post_form


@pytest.fixture
def world(app):
    return build_world(app)


def text_of(response) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))).split())


def count(app, model, *conditions) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*conditions))


def audit_actions(app) -> list[tuple[str, int | None]]:
    with app.app_context():
        rows = db.session.execute(
            select(AuditEntry.action, AuditEntry.actor_id)
            .where(AuditEntry.action.like("event.%"))
            .order_by(AuditEntry.id)
        ).all()
        return [tuple(row) for row in rows]


def test_a_professional_plans_an_event_members_see_it_in_local_time_and_it_is_audited(app, world):
    start = (utcnow() + timedelta(days=3)).replace(second=0, microsecond=0)
    event_id = world.planned(
        "pia", starts_at=local(start), ends_at=local(start + timedelta(hours=2)), title="Parents' evening",
        description="Bring <b>questions</b>", link="https://meet.example.org/room-1",
    )  # fmt: skip
    event = world.event(event_id)
    assert (event.starts_at, event.ends_at, event.state) == (start, start + timedelta(hours=2), "scheduled")
    assert audit_actions(app) == [("event.created", world.ids["pia"])]

    page = world.client("sam").get(world.event_path(event_id))
    source = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Parents&#39; evening" in source and "Bring &lt;b&gt;questions&lt;/b&gt;" in source  # escaped, never HTML
    assert 'href="https://meet.example.org/room-1" rel="noopener noreferrer nofollow"' in source
    assert local(start)[11:] in source  # the local hour and minute, not the UTC ones
    assert "Parents&#39; evening" in world.client("noor").get(f"/g/{world.slug}").get_data(as_text=True)
    listing = text_of(world.client("noor").get(f"/g/{world.slug}/events"))
    assert "Coming up Parents' evening" in listing


@pytest.mark.parametrize("who", ["mona", "pia"])
def test_moderators_and_professionals_may_plan(app, world, who):
    assert world.plan(who).status_code == 303


def test_a_member_may_not_plan_change_or_cancel(app, world):
    event_id = world.planned()
    sam = world.client("sam")
    assert sam.get(f"/g/{world.slug}/events/new").status_code == 404
    assert world.plan("sam").status_code == 404
    assert sam.get(f"{world.event_path(event_id)}/edit").status_code == 404
    cancel = post_form(sam, f"{world.event_path(event_id)}/cancel", {}, form_page="/account/calendar")
    assert cancel.status_code == 403
    assert world.event(event_id).state == "scheduled"
    assert "Plan an event" not in sam.get(f"/g/{world.slug}").get_data(as_text=True)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"title": "x"}, "Give the event a title of 3 to 120 characters."),
        ({"title": "t" * 121}, "Give the event a title of 3 to 120 characters."),
        ({"place": "", "link": ""}, "Say where the event is"),
        ({"place": "p" * 201}, "The place can be at most 200 characters."),
        ({"link": "javascript:alert(1)"}, "starting with https://"),
        ({"link": "ftp://files.example.org/x"}, "starting with https://"),
        ({"link": "https://"}, "starting with https://"),
        ({"link": "https://example.org/" + "a" * 500}, "A link can be at most 500 characters."),
        ({"description": "d" * 2001}, "The description can be at most 2,000 characters."),
        ({"starts_at": ""}, "Give the day and time the event starts."),
        ({"ends_at": ""}, "Give the day and time the event ends."),
        ({"starts_at": "tomorrow"}, "Not a valid datetime value."),
        ({"starts_in": -timedelta(hours=1)}, "The start is in the past."),
        ({"hours": 0}, "The end must be after the start."),
        ({"hours": -2}, "The end must be after the start."),
        ({"hours": 24 * 15}, "An event can last at most 14 days."),
        ({"starts_in": timedelta(days=800)}, "An event can be planned at most two years ahead."),
    ],
)
def test_bad_input_is_refused_with_what_to_fix_and_nothing_is_stored(app, world, fields, message):
    response = world.plan("pia", **fields)
    assert response.status_code == 400
    assert message in text_of(response)
    assert count(app, Event) == 0
    assert audit_actions(app) == []


def test_a_planner_changes_an_event_and_a_moved_start_sends_the_reminder_again(app, world):
    event_id = world.planned()
    world.answer("sam", event_id, "yes")
    with app.app_context():
        db.session.execute(Rsvp.__table__.update().values(reminded_at=utcnow()))
        db.session.commit()
    edit = f"{world.event_path(event_id)}/edit"
    form = world.client("mona").get(edit).get_data(as_text=True)
    assert 'value="Coffee morning"' in form
    start = utcnow() + timedelta(days=5)
    response = post_form(world.client("mona"), edit, {"title": "Coffee afternoon", "place": "Hall",
                         "starts_at": local(start), "ends_at": local(start + timedelta(hours=1))})  # fmt: skip
    assert response.status_code == 303
    event = world.event(event_id)
    assert (event.title, event.place) == ("Coffee afternoon", "Hall")
    assert count(app, Rsvp, Rsvp.reminded_at.is_(None)) == 1
    assert [action for action, _ in audit_actions(app)] == ["event.created", "event.updated"]
    bad = post_form(world.client("mona"), edit, {"title": "Coffee", "place": "Hall", "starts_at": local(start),
                    "ends_at": local(start - timedelta(hours=1))})  # fmt: skip
    assert bad.status_code == 400 and "The end must be after the start." in text_of(bad)
    assert world.event(event_id).title == "Coffee afternoon"


def test_members_answer_and_change_their_answer_one_row_each_counts_shown(app, world):
    event_id = world.planned()
    assert world.answer("sam", event_id, "maybe").status_code == 303
    assert world.answer("sam", event_id, "yes").status_code == 303
    assert world.answer("noor", event_id, "maybe").status_code == 303
    assert count(app, Rsvp) == 2
    page = text_of(world.client("sam").get(world.event_path(event_id)))
    assert "1 person is coming, 1 maybe." in page
    assert "Your answer: Yes, I am coming" in page
    assert "Noor" not in page  # members see the counts, not the names
    staff = text_of(world.client("pia").get(world.event_path(event_id)))
    assert "Who said yes or maybe" in staff and "Sam" in staff and "Noor Maybe" in staff


def test_an_answer_that_is_not_yes_maybe_or_no_is_refused(app, world):
    event_id = world.planned()
    response = world.answer("sam", event_id, "perhaps")
    assert response.status_code == 303
    assert "Choose yes, maybe or no." in world.client("sam").get(response.headers["Location"]).get_data(as_text=True)
    assert count(app, Rsvp) == 0


def test_another_groups_event_is_not_found_for_reading_and_answering(app, world):
    event_id = world.planned()
    otto = world.client("otto")
    assert otto.get(world.event_path(event_id)).status_code == 404
    assert otto.get(world.event_path(event_id, world.other_slug)).status_code == 404  # through his own group
    assert world.answer("otto", event_id, "yes", slug=world.other_slug).status_code == 404
    assert world.answer("otto", event_id, "yes").status_code == 404
    assert otto.get(f"/events/{event_id}").status_code == 404
    assert count(app, Rsvp) == 0


def test_the_short_address_leads_a_member_to_the_event(app, world):
    event_id = world.planned()
    response = world.client("sam").get(f"/events/{event_id}")
    assert response.status_code == 303 and response.headers["Location"].endswith(world.event_path(event_id))
    assert world.client("sam").get("/events/999").status_code == 404


def test_cancelling_tells_those_coming_closes_answers_and_is_audited(app, world):
    event_id = world.planned()
    world.answer("sam", event_id, "yes")
    world.answer("noor", event_id, "no")
    world.answer("mona", event_id, "maybe")
    response = post_form(world.client("pia"), f"{world.event_path(event_id)}/cancel", {}, form_page="/account/calendar")
    assert response.status_code == 303
    assert world.event(event_id).state == "cancelled"
    assert [action for action, _ in audit_actions(app)] == ["event.created", "event.cancelled"]
    with app.app_context():
        told = db.session.scalars(select(Notification.user_id).where(Notification.kind == "event_cancelled")).all()
    assert sorted(told) == sorted([world.ids["sam"], world.ids["mona"]])
    refused = world.answer("noor", event_id, "yes")
    follow = world.client("noor").get(refused.headers["Location"])
    assert "This event was cancelled, so it takes no answers." in follow.get_data(as_text=True)
    assert count(app, Rsvp, Rsvp.user_id == world.ids["noor"], Rsvp.answer == "no") == 1
    inbox = text_of(world.client("sam").get("/notifications"))
    assert "An event you were going to in Parents was cancelled." in inbox
    again = post_form(world.client("pia"), f"{world.event_path(event_id)}/cancel", {}, form_page="/account/calendar")
    assert again.status_code == 303
    assert [action for action, _ in audit_actions(app)] == ["event.created", "event.cancelled"]


def test_an_event_that_is_over_takes_no_answers(app, world):
    event_id = world.planned()
    with app.app_context():
        db.session.execute(
            Event.__table__.update().values(
                starts_at=utcnow() - timedelta(hours=3), ends_at=utcnow() - timedelta(hours=1)
            )
        )
        db.session.commit()
    response = world.answer("sam", event_id, "yes")
    assert "This event is over" in world.client("sam").get(response.headers["Location"]).get_data(as_text=True)
    assert count(app, Rsvp) == 0
    listing = text_of(world.client("sam").get(f"/g/{world.slug}/events"))
    assert listing.index("Past events") < listing.index("Coffee morning")


def test_a_cancelled_event_cannot_be_changed(app, world):
    event_id = world.planned()
    post_form(world.client("pia"), f"{world.event_path(event_id)}/cancel", {}, form_page="/account/calendar")
    page = world.client("pia").get(f"{world.event_path(event_id)}/edit")
    assert page.status_code == 400
    assert "This event was cancelled; it can no longer be changed." in text_of(page)
    assert "Manage this event" not in text_of(world.client("pia").get(world.event_path(event_id)))


def test_answering_stores_one_row_per_person_on_each_database(db_app):
    world = build_world(db_app)
    event_id = world.planned()
    for choice in ("maybe", "no", "yes"):
        assert world.answer("sam", event_id, choice).status_code == 303
    with db_app.app_context():
        assert db.session.execute(select(Rsvp.user_id, Rsvp.answer)).all() == [(world.ids["sam"], "yes")]
