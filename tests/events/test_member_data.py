"""A member's answers and calendar choice are in their export (not the event's words, nor the address), and go
with their erasure; the events they planned stay for the group, without them."""

from __future__ import annotations

from sqlalchemy import func, select

from community.auth.models import User
from community.auth.signals import member_export_requested
from community.events.models import CalendarFeed, Event, Rsvp
from community.extensions import db
from community.privacy import erasure
from tests.events.world import build_world
from tests.factories import post_form


def test_export_holds_the_answers_and_erasure_removes_them(app):
    world = build_world(app)
    event_id = world.planned("pia", title="Secret evening")
    world.answer("sam", event_id, "maybe")
    post_form(world.client("sam"), "/account/calendar/address", {}, form_page="/account/calendar")
    with app.app_context():
        sam = db.session.get(User, world.ids["sam"])
        parts = {}
        for _receiver, part in member_export_requested.send(sam):
            parts.update(part or {})
        [answer] = parts["events/answers.json"]
        assert (answer["event_id"], answer["answer"]) == (event_id, "maybe")
        assert parts["events/calendar_feed.json"]["show_details"] is False
        assert "Secret evening" not in str(parts)

        erasure.erase(sam, mode="anonymise", actor_id=sam.id)
        pia = db.session.get(User, world.ids["pia"])
        erasure.erase(pia, mode="anonymise", actor_id=pia.id)
        db.session.commit()
        assert db.session.scalar(select(func.count()).select_from(Rsvp)) == 0
        assert db.session.scalar(select(func.count()).select_from(CalendarFeed)) == 0
        event = db.session.get(Event, event_id)
        assert event.title == "Secret evening" and event.created_by_id is None
