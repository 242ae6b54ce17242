"""Scheduled announcements: written now, shown only from their time (readers filter on it, nothing has to run),
listed for the moderators as "scheduled for ...", changeable and cancellable before; the group is told when
`flask forum publish-scheduled` runs after that time, once."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from sqlalchemy import func, select

from community.core.audit import AuditEntry
from community.core.time import utcnow
from community.extensions import db
from community.forum.models import Announcement
from community.notifications.models import Notification
from tests.factories import add_to_group, make_group, make_user, post_form, sign_in

ZONE = ZoneInfo("Europe/Amsterdam")  # TestingConfig's BABEL_DEFAULT_TIMEZONE


def local(moment) -> str:
    return moment.replace(tzinfo=ZoneInfo("UTC")).astimezone(ZONE).strftime("%Y-%m-%dT%H:%M")


@pytest.fixture
def slug(app: Flask) -> str:
    with app.app_context():
        admin = make_user("boss", admin=True)
        group = make_group(admin, "Parents")
        for name, role in (("sam", "member"), ("mona", "moderator")):
            add_to_group(admin, group, make_user(name), role=role)
        return group.slug


def client_of(app: Flask, name: str):
    client = app.test_client()
    sign_in(client, name)
    return client


def schedule(app, slug, when, title="Summer meeting"):
    path = f"/g/{slug}/announcements"
    return post_form(client_of(app, "mona"), path, {"title": title, "body": "Saturday.", "publish_at": when})


def shift(app, **delta) -> None:
    """Move every announcement's time (as if the clock went on)."""
    with app.app_context():
        for announcement in db.session.scalars(select(Announcement)):
            announcement.publish_at = utcnow() + timedelta(**delta)
        db.session.commit()


def told(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).where(Notification.kind == "announcement"))


def publish(app) -> str:
    result = app.test_cli_runner().invoke(args=["forum", "publish-scheduled"])
    assert result.exit_code == 0, result.output
    return result.output.strip()


def test_a_scheduled_announcement_is_hidden_before_its_time_and_shown_and_told_after(app, slug):
    start = utcnow() + timedelta(hours=2)
    response = schedule(app, slug, local(start))
    assert response.status_code == 303
    with app.app_context():
        announcement = db.session.scalar(select(Announcement))
        assert announcement.publish_at == start.replace(second=0, microsecond=0)
        assert db.session.scalar(select(AuditEntry.action).where(AuditEntry.target_type == "announcement")) == (
            "announcement.created"
        )
    sam = client_of(app, "sam")
    assert "Summer meeting" not in sam.get(f"/g/{slug}").get_data(as_text=True)
    assert told(app) == 0
    assert publish(app) == "Announced 0 scheduled announcements."
    staff = client_of(app, "mona").get(f"/g/{slug}/announcements").get_data(as_text=True)
    assert "Scheduled for" in staff and "Change it" in staff

    shift(app, minutes=-1)
    assert "Summer meeting" in sam.get(f"/g/{slug}").get_data(as_text=True)  # shown with nothing run
    assert publish(app) == "Announced 1 scheduled announcements."
    assert told(app) == 1
    assert publish(app) == "Announced 0 scheduled announcements."
    assert told(app) == 1


def test_a_scheduled_announcement_cannot_be_dismissed_before_it_shows(app, slug):
    schedule(app, slug, local(utcnow() + timedelta(hours=2)))
    with app.app_context():
        announcement_id = db.session.scalar(select(Announcement.id))
    sam = client_of(app, "sam")
    path = f"/g/{slug}/announcements/{announcement_id}/dismiss"
    assert post_form(sam, path, {}, form_page="/account/calendar").status_code == 404


def test_a_moderator_changes_a_scheduled_announcement_and_an_empty_time_shows_it_now(app, slug):
    schedule(app, slug, local(utcnow() + timedelta(hours=2)))
    with app.app_context():
        announcement_id = db.session.scalar(select(Announcement.id))
    mona = client_of(app, "mona")
    edit = f"/g/{slug}/announcements/{announcement_id}/edit"
    assert 'value="Summer meeting"' in mona.get(edit).get_data(as_text=True)
    response = post_form(mona, edit, {"title": "Winter meeting", "body": "Sunday.", "publish_at": ""})
    assert response.status_code == 303
    assert "Winter meeting" in client_of(app, "sam").get(f"/g/{slug}").get_data(as_text=True)
    assert told(app) == 1
    assert mona.get(edit).status_code == 400  # shown now: no longer changeable
    assert publish(app) == "Announced 0 scheduled announcements."
    with app.app_context():
        actions = db.session.scalars(select(AuditEntry.action).where(AuditEntry.target_type == "announcement")).all()
    assert actions == ["announcement.created", "announcement.updated"]


def test_a_cancelled_scheduled_announcement_is_never_shown_or_told(app, slug):
    schedule(app, slug, local(utcnow() + timedelta(hours=2)))
    with app.app_context():
        announcement_id = db.session.scalar(select(Announcement.id))
    mona = client_of(app, "mona")
    path = f"/g/{slug}/announcements/{announcement_id}/end"
    assert post_form(mona, path, {}, form_page=f"/g/{slug}/announcements").status_code == 303
    shift(app, minutes=-1)
    assert publish(app) == "Announced 0 scheduled announcements."
    assert "Summer meeting" not in client_of(app, "sam").get(f"/g/{slug}").get_data(as_text=True)


@pytest.mark.parametrize(
    ("when", "message"),
    [
        (lambda: local(utcnow() - timedelta(hours=1)), "Choose a time that is still to come"),
        (lambda: local(utcnow() + timedelta(days=400)), "at most a year ahead"),
        (lambda: "next week", "Not a valid datetime value."),
    ],
)
def test_a_bad_time_is_refused_and_nothing_is_stored(app, slug, when, message):
    response = schedule(app, slug, when())
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Announcement)) == 0


def test_a_member_cannot_open_the_edit_page(app, slug):
    schedule(app, slug, local(utcnow() + timedelta(hours=2)))
    with app.app_context():
        announcement_id = db.session.scalar(select(Announcement.id))
    assert client_of(app, "sam").get(f"/g/{slug}/announcements/{announcement_id}/edit").status_code == 404
