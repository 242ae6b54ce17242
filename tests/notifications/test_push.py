"""Web Push end to end, against a push service on 127.0.0.1 (``push_service.py``): the push is signed (VAPID,
checked with the site's public key) and encrypted to the device (decrypted here with the browser's own key), and
says nothing anyone wrote, no names and, unless the member chose it, no group; it opens the notification."""

from __future__ import annotations

import io
import json
import zipfile

from sqlalchemy import select

from community.extensions import db
from community.notifications import vapid
from community.notifications.models import Notification, PushOutbox, PushSubscription
from community.privacy.models import DataExport
from tests.factories import PASSWORD, csrf_token, post_form
from tests.notifications.push_service import Browser, PushService
from tests.notifications.world import World, build_world

MARKER = "zebra-marker-4417"  # member content: must never reach a push
FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
ANDROID_CHROME = "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 Chrome/131.0 Mobile Safari/537.36"


def subscribe(world: World, name: str, browser: Browser, user_agent: str = FIREFOX):
    client = world.http(name)
    token = csrf_token(client, "/notifications/settings")
    response = client.post("/notifications/push/subscribe", json=browser.to_json(),
                           headers={"X-CSRFToken": token, "User-Agent": user_agent})  # fmt: skip
    return client, response


def mention_noor(world: World, title: str = "A question") -> int:
    with world.app.app_context():
        return world.topic("sam", f"{title} {MARKER}", f"Hi @Noor, about {MARKER}").topic.id


def test_a_push_is_signed_and_encrypted_and_says_nothing_anyone_wrote(app, push_service: PushService):
    world = build_world(app)
    browser = push_service.browser()
    noor, response = subscribe(world, "noor", browser)
    assert response.status_code == 200 and response.get_json()["ok"] is True
    topic_id = mention_noor(world)

    assert len(push_service.received) == 1
    received = push_service.received[0]
    with app.app_context():
        public_key = vapid.public_key()
        note_id = db.session.scalar(select(Notification.id).where(Notification.user_id == world.ids["noor"]))
        device = db.session.scalar(select(PushSubscription))
        assert device.last_used_at is not None
    push_service.verify_vapid(received, public_key)
    assert received.headers["ttl"] == "86400" and received.headers["urgency"] == "normal"
    assert MARKER.encode() not in received.body  # encrypted on the wire
    pushed = browser.decrypt(received)
    assert pushed == {"title": "Kring", "body": "Someone mentioned you.", "url": f"/notifications/{note_id}/open",
                      "tag": f"kring-topic-{topic_id}"}  # fmt: skip
    text = json.dumps(pushed)
    for secret in (MARKER, "Sam", "sam", "Parents", "A question"):
        assert secret not in text

    # The push opens the notification: read now, and its post first on the topic's page.
    opened = noor.get(pushed["url"])
    assert opened.status_code == 303 and f"/t/{topic_id}" in opened.headers["Location"]
    with app.app_context():
        assert db.session.get(Notification, note_id).read_at is not None

    # Noor chooses to see the group's name: the next push says it, and still nothing written.
    page = noor.get("/notifications/settings").get_data(as_text=True)
    assert 'data-vapid-key="' + public_key + '"' in page and "needs JavaScript" in page
    form = {"csrf_token": csrf_token(noor, "/notifications/settings"), "push_shown": "1", "push_group_name": "1",
            "email_mention": "never", "in_app_mention": "1", "push_mention": "1"}  # fmt: skip
    assert noor.post("/notifications/settings", data=form).status_code == 303
    mention_noor(world, "Another")
    second = browser.decrypt(push_service.received[1])
    assert second["body"] == "Someone mentioned you. (Parents)"
    assert MARKER not in json.dumps(second) and "Sam" not in json.dumps(second)


def test_someone_elses_notification_does_not_open(app, push_service):
    world = build_world(app)
    mention_noor(world)
    with app.app_context():
        note_id = db.session.scalar(select(Notification.id))
    response = world.http("mona").get(f"/notifications/{note_id}/open")
    assert response.status_code == 303 and response.headers["Location"].endswith("/notifications")
    with app.app_context():
        assert db.session.get(Notification, note_id).read_at is None


def test_a_device_its_push_service_no_longer_knows_is_removed(app, push_service):
    world = build_world(app)
    subscribe(world, "noor", push_service.browser())
    push_service.statuses = [410]
    mention_noor(world)
    assert len(push_service.received) == 1
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(PushSubscription)) == 0
        assert db.session.scalar(select(PushOutbox.status)) == "skipped"
    mention_noor(world, "Later")
    assert len(push_service.received) == 1  # no device: nothing queued, nothing sent
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(PushOutbox)) == 1


def test_a_refused_push_fails_without_retry(app, push_service):
    world = build_world(app)
    subscribe(world, "noor", push_service.browser())
    push_service.statuses = [400]
    mention_noor(world)
    with app.app_context():
        row = db.session.scalar(select(PushOutbox))
        assert (row.status, row.attempts, row.last_error) == ("failed", 1, "failed HTTP 400")
        assert db.session.scalar(select(db.func.count()).select_from(PushSubscription)) == 1


def test_three_events_on_one_topic_make_one_push(app, push_service):
    world = build_world(app)
    browser = push_service.browser()
    subscribe(world, "noor", browser)
    with app.app_context():
        topic_id = world.topic("noor", "My topic", "Hello").topic.id
        for index in range(3):
            world.reply("sam", topic_id, f"Reply {index} {MARKER}")
        assert db.session.scalar(
            select(db.func.count()).select_from(Notification).where(Notification.kind == "reply")
        ) == 3  # fmt: skip
    assert len(push_service.received) == 1
    assert browser.decrypt(push_service.received[0])["tag"] == f"kring-topic-{topic_id}"
    with app.app_context():  # another topic is another target: pushed at once
        other = world.topic("noor", "Second topic", "Hello").topic.id
        world.reply("sam", other, "Hi")
    assert len(push_service.received) == 2


def test_push_off_for_a_kind_queues_nothing(app, push_service):
    world = build_world(app)
    noor, _response = subscribe(world, "noor", push_service.browser())
    form = {"csrf_token": csrf_token(noor, "/notifications/settings"), "push_shown": "1",
            "email_mention": "never", "in_app_mention": "1"}  # fmt: skip
    assert noor.post("/notifications/settings", data=form).status_code == 303
    mention_noor(world)
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(Notification)) == 1  # the centre still has it
        assert db.session.scalar(select(db.func.count()).select_from(PushOutbox)) == 0
    assert push_service.received == []
    assert 'id="push-mention" aria-labelledby="col-push kind-mention">' in noor.get("/notifications/settings").text


def test_a_muted_group_pushes_nothing(app, push_service):
    world = build_world(app)
    noor, _response = subscribe(world, "noor", push_service.browser())
    form = {"csrf_token": csrf_token(noor, "/notifications/settings"), f"group_muted_{world.group_id}": "1"}
    assert noor.post("/notifications/settings", data=form).status_code == 303
    mention_noor(world)
    assert push_service.received == []


def test_the_device_list_shows_each_device_and_only_its_owner_removes_it(app, push_service):
    world = build_world(app)
    noor, _response = subscribe(world, "noor", push_service.browser("phone"), ANDROID_CHROME)
    page = noor.get("/account/devices")
    assert page.status_code == 200 and "Chrome on Android" in page.text and "None yet" in page.text
    mention_noor(world)
    assert "None yet" not in noor.get("/account/devices").text  # the last push's time
    with app.app_context():
        device_id = db.session.scalar(select(PushSubscription.id))
    sam = world.http("sam")
    assert "Chrome on Android" not in sam.get("/account/devices").text
    token = csrf_token(sam, "/account/devices")
    assert sam.post(f"/account/devices/{device_id}/remove", data={"csrf_token": token}).status_code == 404
    with app.app_context():
        assert db.session.get(PushSubscription, device_id) is not None
    token = csrf_token(noor, "/account/devices")
    assert noor.post(f"/account/devices/{device_id}/remove", data={"csrf_token": token}).status_code == 303
    with app.app_context():
        assert db.session.get(PushSubscription, device_id) is None
    assert "No device shows notifications" in noor.get("/account/devices").text


def test_turning_off_on_this_device_forgets_it(app, push_service):
    world = build_world(app)
    browser = push_service.browser()
    noor, _response = subscribe(world, "noor", browser)
    token = csrf_token(noor, "/notifications/settings")
    # Someone else cannot turn off Noor's device by its address.
    sam = world.http("sam")
    sam.post("/notifications/push/unsubscribe", json={"endpoint": browser.endpoint},
             headers={"X-CSRFToken": csrf_token(sam, "/notifications/settings")})  # fmt: skip
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(PushSubscription)) == 1
    response = noor.post("/notifications/push/unsubscribe", json={"endpoint": browser.endpoint},
                         headers={"X-CSRFToken": token})  # fmt: skip
    assert response.status_code == 200
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(PushSubscription)) == 0
    bad = noor.post("/notifications/push/unsubscribe", json={"endpoint": 5}, headers={"X-CSRFToken": token})
    assert bad.status_code == 400


def test_the_same_browser_subscribing_again_replaces_its_row(app, push_service):
    world = build_world(app)
    browser = push_service.browser()
    subscribe(world, "noor", browser)
    subscribe(world, "noor", browser)
    _client, response = subscribe(world, "sam", browser)  # the browser is Sam's now
    assert response.status_code == 200
    with app.app_context():
        rows = db.session.scalars(select(PushSubscription)).all()
        assert [row.user_id for row in rows] == [world.ids["sam"]]


def test_the_members_export_lists_their_devices_and_erasure_removes_them(app, push_service):
    world = build_world(app)
    browser = push_service.browser()
    noor, _response = subscribe(world, "noor", browser)
    mention_noor(world)
    assert post_form(noor, "/account/privacy/export", {}, form_page="/account/privacy").status_code == 303
    with app.app_context():
        export_id = db.session.scalar(select(DataExport.id).order_by(DataExport.id.desc()))
    archive = zipfile.ZipFile(io.BytesIO(noor.get(f"/account/privacy/exports/{export_id}").data))
    settings = json.loads(archive.read("notification_settings.json"))
    assert [device["device"] for device in settings["push_devices"]] == ["Firefox/Linux"]
    assert [(sent["kind"], sent["status"]) for sent in settings["pushes"]] == [("mention", "sent")]
    assert settings["push_shows_group_name"] is False
    form = {"mode": "remove", "password": PASSWORD, "confirm": "y"}
    assert post_form(noor, "/account/delete", form, form_page="/account/privacy").status_code == 303
    with app.app_context():
        for model in (PushSubscription, PushOutbox):
            assert db.session.scalar(select(db.func.count()).select_from(model)) == 0


def test_an_announcement_reaches_each_members_own_devices(app, push_service):
    world = build_world(app)
    devices = {name: push_service.browser(name) for name in ("noor", "sam")}
    for name, browser in devices.items():
        subscribe(world, name, browser)
    with app.app_context():
        world.announce(f"News {MARKER}", f"Read this {MARKER}")
    assert len(push_service.received) == 2
    for name, browser in devices.items():
        [received] = [r for r in push_service.received if browser.endpoint.endswith(r.path)]
        pushed = browser.decrypt(received)
        assert pushed["body"] == "There is a new announcement." and MARKER not in json.dumps(pushed), name


def test_a_private_conversation_pushes_once_per_few_minutes_and_again_after_while_one_notice_waits(app, push_service):
    """Told once until read in the centre; on the phone at most one push per conversation per bundle window,
    and a message after the window pushes again (nobody misses a conversation that went on)."""
    world = build_world(app)
    browser = push_service.browser()
    subscribe(world, "noor", browser)
    conversation_id = world.private("sam", "noor")
    sam = world.socket("sam")
    for number in range(3):
        world.say(sam, conversation_id, f"{MARKER} {number}")
    assert len(push_service.received) == 1
    first = browser.decrypt(push_service.received[0])
    assert first["body"] == "Someone wrote to you." and first["tag"] == f"kring-conversation-{conversation_id}"
    assert MARKER not in json.dumps(first) and "Sam" not in json.dumps(first)

    with app.app_context():  # the bundle window has passed
        for row in db.session.scalars(select(PushOutbox)):
            row.sent_at = row.sent_at.replace(year=row.sent_at.year - 1)
        db.session.commit()
    world.say(sam, conversation_id, f"{MARKER} later")
    assert len(push_service.received) == 2
    assert browser.decrypt(push_service.received[1])["tag"] == f"kring-conversation-{conversation_id}"
    assert world.unread("noor") == 1, "still one notification in the centre"
