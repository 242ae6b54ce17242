"""The push outbox: retries with back-off and `flask notifications send-push`, claiming (SQLite and PostgreSQL),
quiet hours, sending after the commit only (and off the request), refused subscriptions, and the VAPID key."""

from __future__ import annotations

import stat
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from py_vapid import Vapid
from sqlalchemy import select, update

from community.core.time import utcnow
from community.extensions import db
from community.notifications import devices, preferences, push, sending, vapid
from community.notifications.models import Notification, PushOutbox, PushSubscription
from community.notifications.services import notify
from tests.conftest import _fresh_schema, build_app
from tests.factories import csrf_token
from tests.notifications.push_service import PushService, b64url
from tests.notifications.test_push import MARKER, mention_noor, subscribe
from tests.notifications.world import build_world


def _row() -> PushOutbox:
    return db.session.scalar(select(PushOutbox).order_by(PushOutbox.id.desc()))


@pytest.mark.parametrize("status", [500, 429])
def test_a_push_the_service_could_not_take_is_retried_with_back_off_then_sent_by_send_push(
    db_app, push_service: PushService, status
):
    world = build_world(db_app)
    browser = push_service.browser()
    subscribe(world, "noor", browser)
    push_service.statuses = [status]
    with db_app.app_context():
        topic_id = world.topic("noor", "My topic", "Hello").topic.id
        world.reply("sam", topic_id, f"First {MARKER}")
        row = _row()
        assert (row.status, row.attempts, row.last_error) == ("pending", 1, f"retry HTTP {status}")
        assert row.next_attempt_at - row.claimed_at == timedelta(seconds=60)  # NOTIFICATIONS_RETRY_BASE_SECONDS
        world.reply("sam", topic_id, f"Second {MARKER}")  # the waiting push counts up: no second row, no request
        assert db.session.scalar(select(db.func.count()).select_from(PushOutbox)) == 1
        assert _row().item_count == 2
    assert len(push_service.received) == 1

    runner = db_app.test_cli_runner()
    assert "Sent 0" in runner.invoke(args=["notifications", "send-push"]).output  # not due yet
    with db_app.app_context():  # the back-off has passed
        db.session.execute(update(PushOutbox).values(next_attempt_at=utcnow() - timedelta(seconds=1)))
        db.session.commit()
    result = runner.invoke(args=["notifications", "send-push"])
    assert "Sent 1, will retry 0, failed 0" in result.output
    assert browser.decrypt(push_service.received[1])["body"] == "You have 2 new replies."
    assert "Sent 0" in runner.invoke(args=["notifications", "send-push"]).output  # exactly once
    with db_app.app_context():
        assert (_row().status, _row().attempts) == ("sent", 2)


def test_a_push_service_that_cannot_be_reached_is_tried_again_until_the_attempts_run_out(db_app, push_service):
    world = build_world(db_app)
    db_app.config["NOTIFICATIONS_MAX_ATTEMPTS"] = 2
    gone = PushService()  # never started: connection refused
    gone.server.server_close()
    subscribe(world, "noor", gone.browser())
    mention_noor(world)
    with db_app.app_context():
        row = _row()
        assert (row.status, row.last_error) == ("pending", "retry ConnectionError")
        report = push.send_due(now=row.next_attempt_at)
        assert (report.sent, report.failed) == (0, 1)
        assert (_row().status, _row().attempts) == ("failed", 2)
        assert db.session.scalar(select(db.func.count()).select_from(PushSubscription)) == 1


def test_a_row_is_claimed_by_one_sender_only(db_app, push_service):
    world = build_world(db_app)
    subscribe(world, "noor", push_service.browser())
    with db_app.app_context():
        now = utcnow()
        db.session.add(PushOutbox(user_id=world.ids["noor"], kind="mention", target_key="topic-1", created_at=now,
                                  next_attempt_at=now, sent_to=[]))  # fmt: skip
        db.session.commit()
        row_id = _row().id
        assert sending.claim(PushOutbox, row_id, now) is True
        assert sending.claim(PushOutbox, row_id, now) is False  # the second sender finds it taken
        assert push.send_due(now=now).sent == 0
        # A sender that died mid-send: the row is taken again once it is stale.
        stale = now + timedelta(seconds=db_app.config["NOTIFICATIONS_SENDING_STALE_SECONDS"] + 1)
        assert push.send_due(now=stale).sent == 1
    assert len(push_service.received) == 1


def _quiet_now(user_id: int) -> None:
    local = utcnow().replace(tzinfo=preferences.ZoneInfo("UTC")).astimezone(preferences._zone())
    start, end = local - timedelta(hours=1), local + timedelta(hours=1)
    preferences.save_quiet_hours(db.session.get(preferences.User, user_id), start.strftime("%H:%M"),
                                 end.strftime("%H:%M"))  # fmt: skip
    db.session.commit()


def test_quiet_hours_hold_pushes_back_and_bundle_them_into_one(app, push_service):
    world = build_world(app)
    browser = push_service.browser()
    subscribe(world, "noor", browser)
    with app.app_context():
        _quiet_now(world.ids["noor"])
        ends = preferences.quiet_until(world.ids["noor"], utcnow())
    mention_noor(world, "One")
    mention_noor(world, "Two")
    assert push_service.received == []
    with app.app_context():
        row = _row()
        assert (row.target_key, row.item_count, row.next_attempt_at) == ("quiet", 2, ends)
        assert push.send_due().sent == 0
        assert push.send_due(now=ends + timedelta(seconds=1)).sent == 1
    pushed = browser.decrypt(push_service.received[0])
    assert pushed == {"title": "Kring", "body": "You were mentioned 2 times.", "url": "/notifications",
                      "tag": "kring-quiet"}  # fmt: skip


def test_nothing_is_pushed_for_a_rolled_back_notification(app, push_service):
    world = build_world(app)
    subscribe(world, "noor", push_service.browser())
    with app.app_context():
        notify([world.ids["noor"]], kind="mention", actor_id=world.ids["sam"], group_id=world.group_id,
               target_type="post", target_id=1)  # fmt: skip
        db.session.rollback()
        assert db.session.scalar(select(db.func.count()).select_from(PushOutbox)) == 0
    assert push_service.received == []


@pytest.fixture
def file_app(tmp_path: Path) -> Iterator[Flask]:
    """A SQLite file, so the background sender's own connection is a real second connection."""
    yield from _fresh_schema(build_app(f"sqlite:///{tmp_path / 'push.db'}", PUSH_SEND_IN_BACKGROUND=True))


def test_pushes_are_sent_after_the_commit_off_the_request(file_app, push_service):
    world = build_world(file_app)
    subscribe(world, "noor", push_service.browser())
    mention_noor(world)
    push_service.wait(1)
    with file_app.app_context():
        for _ in range(100):
            db.session.rollback()
            if _row().status == "sent":
                break
            push_service.arrived.wait(0.05)
        assert _row().status == "sent"


def _bad_subscriptions(service: PushService) -> dict[str, object]:
    good = service.browser().to_json()
    keys = good["keys"]
    return {
        "not an object": ["https://fcm.googleapis.com/x"],
        "no keys": {"endpoint": good["endpoint"]},
        "endpoint not a string": {**good, "endpoint": 42},
        "empty endpoint": {**good, "endpoint": ""},
        "endpoint too long": {**good, "endpoint": service.origin + "/" + "a" * 1100},
        "plain http elsewhere": {**good, "endpoint": "http://fcm.googleapis.com/send/x"},
        "https to an unknown host": {**good, "endpoint": "https://internal.example.org/push"},
        "https to this machine": {**good, "endpoint": "https://127.0.0.1/push"},
        "user in the address": {**good, "endpoint": "https://me@fcm.googleapis.com/send/x"},
        "other scheme": {**good, "endpoint": "ftp://fcm.googleapis.com/x"},
        "short auth secret": {**good, "keys": {**keys, "auth": b64url(b"x" * 8)}},
        "auth not base64": {**good, "keys": {**keys, "auth": "!!!!"}},
        "short p256dh": {**good, "keys": {**keys, "p256dh": b64url(b"\x04" + b"1" * 32)}},
        "p256dh not on the curve": {**good, "keys": {**keys, "p256dh": b64url(b"\x04" + b"\x01" * 64)}},
        "p256dh missing": {**good, "keys": {"auth": keys["auth"]}},
    }


def test_a_bad_subscription_is_refused_and_nothing_is_stored(app, push_service):
    world = build_world(app)
    noor = world.http("noor")
    token = csrf_token(noor, "/notifications/settings")
    for case, body in _bad_subscriptions(push_service).items():
        response = noor.post("/notifications/push/subscribe", json=body, headers={"X-CSRFToken": token})
        assert response.status_code == 400, case
        assert response.get_json()["ok"] is False, case
    not_json = noor.post("/notifications/push/subscribe", data="{", content_type="application/json",
                         headers={"X-CSRFToken": token})  # fmt: skip
    assert not_json.status_code == 400
    no_token = noor.post("/notifications/push/subscribe", json=push_service.browser().to_json())
    assert no_token.status_code == 400
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(PushSubscription)) == 0


def test_a_known_push_service_over_https_is_accepted(app):
    with app.test_request_context():
        assert devices.endpoint_allowed("https://fcm.googleapis.com/fcm/send/abc")
        assert devices.endpoint_allowed("https://updates.push.services.mozilla.com/wpush/v2/abc")
        assert devices.endpoint_allowed("https://web.push.apple.com/QGx")
        assert not devices.endpoint_allowed("https://evilfcm.googleapis.com.example/x")
        app.config["PUSH_ALLOW_INSECURE_ENDPOINTS"] = False
        assert not devices.endpoint_allowed("http://127.0.0.1:9/push")


def test_an_account_has_at_most_push_max_devices(app, push_service):
    world = build_world(app)
    app.config["PUSH_MAX_DEVICES"] = 2
    for name in ("one", "two"):
        assert subscribe(world, "noor", push_service.browser(name))[1].status_code == 200
    _client, refused = subscribe(world, "noor", push_service.browser("three"))
    assert refused.status_code == 400 and "Remove one" in refused.get_json()["error"]
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(PushSubscription)) == 2


def test_the_vapid_key_is_made_once_and_kept_private_in_the_instance_folder(tmp_path):
    first = build_app(VAPID_PRIVATE_KEY="")
    first.instance_path = str(tmp_path / "instance")
    with first.app_context():
        public = vapid.public_key()
    key_file = tmp_path / "instance" / vapid.KEY_FILE
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert [path.name for path in key_file.parent.iterdir()] == [vapid.KEY_FILE]  # no temporary file left
    again = build_app(VAPID_PRIVATE_KEY="")
    again.instance_path = str(tmp_path / "instance")
    with again.app_context():
        assert vapid.public_key() == public  # a restart keeps it
    configured = Vapid()
    configured.generate_keys()
    pem = configured.private_pem().decode()
    with build_app(VAPID_PRIVATE_KEY=pem).app_context():
        assert vapid.public_key() == b64url(
            configured.public_key.public_bytes(
                vapid.serialization.Encoding.X962, vapid.serialization.PublicFormat.UncompressedPoint
            )
        )
        assert vapid.subject() == "mailto:no-reply@localhost"


def test_a_notification_shown_nowhere_but_pushed_is_still_kept(app, push_service):
    world = build_world(app)
    noor, _response = subscribe(world, "noor", push_service.browser())
    form = {"csrf_token": csrf_token(noor, "/notifications/settings"), "push_shown": "1", "push_mention": "1",
            "email_mention": "never"}  # fmt: skip
    assert noor.post("/notifications/settings", data=form).status_code == 303
    mention_noor(world)
    with app.app_context():
        note = db.session.scalar(select(Notification))
        assert note.in_app is False and _row().notification_id is None  # nothing to open: the centre
    assert len(push_service.received) == 1
