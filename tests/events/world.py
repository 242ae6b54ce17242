"""A small world for the events tests: "Parents" with members sam and noor, professional pia and moderator mona;
"Others" with otto. Events are planned through the real pages."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update

from community.core.time import utcnow
from community.events.models import Event
from community.extensions import db
from community.groups.models import Membership
from tests.factories import add_to_group, make_group, make_user, post_form, sign_in

ZONE = ZoneInfo("Europe/Amsterdam")  # TestingConfig's BABEL_DEFAULT_TIMEZONE: what planners type in


def local(moment: datetime) -> str:
    """A naive UTC moment as a planner types it (the site's local time, as <input type=datetime-local> sends)."""
    return moment.replace(tzinfo=ZoneInfo("UTC")).astimezone(ZONE).strftime("%Y-%m-%dT%H:%M")


@dataclass
class World:
    app: Flask
    slug: str
    other_slug: str
    ids: dict[str, int]
    clients: dict[str, FlaskClient] = field(default_factory=dict)

    def client(self, name: str) -> FlaskClient:
        if name not in self.clients:
            self.clients[name] = self.app.test_client()
            sign_in(self.clients[name], name)
        return self.clients[name]

    def plan(self, who: str = "pia", *, slug: str | None = None, starts_in=timedelta(days=2), hours: int = 2, **fields):
        slug = slug or self.slug
        start = utcnow() + starts_in
        data = {"title": "Coffee morning", "place": "Community centre, room 2", "link": "", "description": "",
                "starts_at": local(start), "ends_at": local(start + timedelta(hours=hours)), **fields}  # fmt: skip
        return post_form(self.client(who), f"/g/{slug}/events/new", data)

    def planned(self, who: str = "pia", **fields) -> int:
        response = self.plan(who, **fields)
        assert response.status_code == 303, response.get_data(as_text=True)[:2000]
        return int(re.search(r"/events/(\d+)$", response.headers["Location"]).group(1))

    def event_path(self, event_id: int, slug: str | None = None) -> str:
        return f"/g/{slug or self.slug}/events/{event_id}"

    def answer(self, who: str, event_id: int, choice: str, *, slug: str | None = None):
        path = self.event_path(event_id, slug)
        return post_form(self.client(who), f"{path}/answer", {"answer": choice}, form_page="/account/calendar")

    def event(self, event_id: int) -> Event:
        with self.app.app_context():
            event = db.session.scalar(select(Event).where(Event.id == event_id))
            db.session.expunge(event)
            return event


def build_world(app: Flask) -> World:
    with app.app_context():
        admin = make_user("boss", admin=True)
        group, other = make_group(admin, "Parents"), make_group(admin, "Others")
        people = {name: make_user(name) for name in ("sam", "noor", "pia", "mona", "otto")}
        add_to_group(admin, group, people["sam"])
        add_to_group(admin, group, people["noor"])
        add_to_group(admin, group, people["pia"])
        # The professional role is in groups.policy but not yet offered by add_member (the roles work adds it).
        db.session.execute(update(Membership).where(Membership.user_id == people["pia"].id).values(role="professional"))
        db.session.commit()
        add_to_group(admin, group, people["mona"], role="moderator")
        add_to_group(admin, other, people["otto"])
        add_to_group(admin, other, people["mona"], role="moderator")
        return World(app, group.slug, other.slug, {name: user.id for name, user in people.items()} | {"boss": admin.id})
