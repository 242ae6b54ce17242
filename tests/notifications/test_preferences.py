"""Preferences: per kind (in the centre, by email), per group (muted, or an email mode), muted topics."""

from __future__ import annotations

from sqlalchemy import select

from community.extensions import db
from community.notifications import preferences, services
from community.notifications.models import EmailOutbox, Notification
from tests.factories import add_to_group, csrf_token, make_group, make_user
from tests.notifications.world import build_world, notifications_of


def _settings(client, **fields):
    return client.post("/notifications/settings", data={"csrf_token": csrf_token(client, "/notifications/settings"),
                                                        **fields})  # fmt: skip


def test_the_settings_page_saves_kind_group_and_quiet_hour_choices(db_app):
    world = build_world(db_app)
    noor = world.http("noor")
    page = noor.get("/notifications/settings").get_data(as_text=True)
    assert "Someone mentioned you" in page and "Parents" in page and 'type="time"' in page
    response = _settings(noor, email_mention="weekly", email_reply="never", in_app_reply="1", quiet_start="22:00",
                         quiet_end="07:30", **{f"group_email_{world.group_id}": "daily"})  # fmt: skip
    assert response.status_code == 303
    with db_app.app_context():
        chosen = preferences.kind_preferences(world.ids["noor"])
        assert (chosen["mention"].in_app, chosen["mention"].email) == (False, "weekly")
        assert (chosen["reply"].in_app, chosen["reply"].email) == (True, "never")
        settings = preferences.settings_of(world.ids["noor"])
        assert (settings.quiet_start, settings.quiet_end) == (22 * 60, 7 * 60 + 30)
        assert preferences.group_settings(world.ids["noor"], [world.group_id])[world.group_id].email == "daily"


def test_an_unknown_email_mode_is_refused_and_nothing_is_saved(db_app):
    world = build_world(db_app)
    noor = world.http("noor")
    response = _settings(noor, email_mention="hourly", in_app_mention="1")
    assert response.status_code == 400 and "immediately, daily, weekly or never" in response.get_data(as_text=True)
    with db_app.app_context():
        assert preferences.kind_preferences(world.ids["noor"])["mention"].email == "immediately"  # the default


def test_in_app_off_keeps_the_notification_out_of_the_centre_but_in_the_email(db_app):
    world = build_world(db_app)
    with db_app.app_context():
        world.prefer("noor", "mention", in_app=False, email="immediately")
    live = world.socket("noor")
    with db_app.app_context():
        world.topic("sam", "Quiet one", "@Noor hi")
        assert services.unread_count(world.ids["noor"]) == 0
        assert db.session.scalar(select(db.func.count()).select_from(EmailOutbox)) == 1
    assert notifications_of(live) == []
    assert "Quiet one" not in world.http("noor").get("/notifications").get_data(as_text=True)


def test_a_muted_group_tells_nothing_and_the_per_group_email_mode_wins(db_app):
    world = build_world(db_app)
    noor = world.http("noor")
    assert _settings(noor, **{f"group_muted_{world.group_id}": "1"}).status_code == 303
    with db_app.app_context():
        world.topic("sam", "Muted", "@Noor hi")
        assert db.session.scalar(select(db.func.count()).select_from(Notification)) == 0
    assert _settings(noor, **{f"group_email_{world.group_id}": "weekly"}).status_code == 303
    with db_app.app_context():
        world.topic("sam", "Unmuted", "@Noor hi")
        [note] = db.session.scalars(select(Notification)).all()
        assert note.email_mode == "weekly" and note.emailed_at is None


def test_muting_a_topic_from_the_centre_stops_its_replies_and_only_for_readers(db_app):
    world = build_world(db_app)
    with db_app.app_context():
        opened = world.topic("noor", "My topic", "Question")
        world.reply("sam", opened.topic.id, "First answer")
        topic_id = opened.topic.id
    noor = world.http("noor")
    page = noor.get("/notifications").get_data(as_text=True)
    assert "Mute “<bdi>My topic</bdi>”" in page
    response = noor.post(f"/notifications/topics/{topic_id}/mute",
                         data={"muted": "1", "csrf_token": csrf_token(noor, "/notifications")})  # fmt: skip
    assert response.status_code == 303
    with db_app.app_context():
        world.reply("sam", topic_id, "Second answer")
        assert services.unread_count(world.ids["noor"]) == 1  # only the first
    with db_app.app_context():
        boss = world.user("boss")
        add_to_group(boss, make_group(boss, "Other"), make_user("otto"))
    otto = world.http("otto")
    response = otto.post(f"/notifications/topics/{topic_id}/mute",
                         data={"muted": "1", "csrf_token": csrf_token(otto, "/notifications")})  # fmt: skip
    assert response.status_code == 404


def test_a_reply_that_mentions_the_topics_author_tells_them_once(db_app):
    world = build_world(db_app)
    with db_app.app_context():
        opened = world.topic("noor", "My topic", "Question")
        world.reply("sam", opened.topic.id, "@Noor here is an answer")
        kinds = db.session.scalars(select(Notification.kind).where(Notification.user_id == world.ids["noor"])).all()
        assert kinds == ["mention"]
