"""Reminders: whoever said yes or maybe hears EVENT_REMINDER_HOURS before the start, once, through the
notification centre; `flask events send-reminders` runs it."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from community.core.time import utcnow
from community.events.models import Event
from community.events.reminders import send_due_reminders
from community.extensions import db
from community.groups.models import Membership
from community.notifications.models import Notification
from tests.events.world import build_world, local
from tests.factories import post_form


@pytest.fixture
def app(db_app):
    """On SQLite and PostgreSQL: the reminder marker is claimed with a conditional UPDATE."""
    return db_app


@pytest.fixture
def world(app):
    return build_world(app)


def reminded(app) -> list[tuple[int, int]]:
    with app.app_context():
        rows = db.session.execute(
            select(Notification.user_id, Notification.target_id)
            .where(Notification.kind == "event_reminder")
            .order_by(Notification.user_id)
        ).all()
        return [tuple(row) for row in rows]


def run_cli(app) -> str:
    result = app.test_cli_runner().invoke(args=["events", "send-reminders"])
    assert result.exit_code == 0, result.output
    return result.output


def test_the_cli_reminds_yes_and_maybe_once_and_a_second_run_sends_nothing(app, world):
    soon = world.planned(starts_in=timedelta(hours=5))
    later = world.planned(starts_in=timedelta(days=3))
    world.answer("sam", soon, "yes")
    world.answer("noor", soon, "maybe")
    world.answer("mona", soon, "no")
    world.answer("sam", later, "yes")
    assert run_cli(app).strip() == "Reminded 2 people of events coming up."
    assert reminded(app) == [(world.ids["sam"], soon), (world.ids["noor"], soon)]
    assert run_cli(app).strip() == "Reminded 0 people of events coming up."
    assert len(reminded(app)) == 2
    inbox = " ".join(re.sub(r"<[^>]+>", "", world.client("noor").get("/notifications").get_data(as_text=True)).split())
    assert "An event you are going to in Parents starts soon." in inbox


def test_the_function_counts_and_respects_the_setting(app, world):
    event_id = world.planned(starts_in=timedelta(hours=30))
    world.answer("sam", event_id, "yes")
    with app.app_context():
        assert send_due_reminders(utcnow()) == 0  # 30 hours ahead, 24 by default
        app.config["EVENT_REMINDER_HOURS"] = 48
        assert send_due_reminders(utcnow()) == 1
        db.session.commit()
        assert send_due_reminders(utcnow()) == 0


def test_cancelled_events_and_people_who_left_are_not_reminded(app, world):
    cancelled = world.planned(starts_in=timedelta(hours=3))
    kept = world.planned(starts_in=timedelta(hours=3))
    world.answer("sam", cancelled, "yes")
    world.answer("sam", kept, "yes")
    world.answer("noor", kept, "yes")
    post_form(world.client("pia"), f"{world.event_path(cancelled)}/cancel", {}, form_page="/account/calendar")
    with app.app_context():
        db.session.execute(
            Membership.__table__.update().where(Membership.user_id == world.ids["noor"]).values(state="removed")
        )
        db.session.commit()
    run_cli(app)
    assert reminded(app) == [(world.ids["sam"], kept)]


def test_moving_the_start_reminds_again(app, world):
    event_id = world.planned(starts_in=timedelta(hours=3))
    world.answer("sam", event_id, "yes")
    run_cli(app)
    with app.app_context():
        db.session.execute(Event.__table__.update().values(starts_at=utcnow() + timedelta(days=10)))
        db.session.commit()
    start = utcnow() + timedelta(hours=4)
    response = post_form(world.client("pia"), f"{world.event_path(event_id)}/edit",
                         {"title": "Coffee", "place": "Hall", "starts_at": local(start),
                          "ends_at": local(start + timedelta(hours=1))})  # fmt: skip
    assert response.status_code == 303
    run_cli(app)
    assert reminded(app) == [(world.ids["sam"], event_id), (world.ids["sam"], event_id)]
