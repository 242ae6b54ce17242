"""Safeguarding cases end to end: crisis language in the forum and the chat (held as urgent, helplines for the
writer, a live alert for the group's moderators), the case lifecycle, the clock, the email escalation, who may
see a case, and the audit rows. On SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from community.auth.models import User
from community.core.time import utcnow
from community.extensions import db
from community.moderation.models import PRIORITY_URGENT, QueueItem
from community.moderation.safeguarding import services
from community.moderation.safeguarding.detection import assess
from tests.chat.helpers import events, send
from tests.factories import post_form
from tests.moderation.safeguarding_world import ACUTE, CRISIS, audit_rows, cases, safeguarding_world, topic_form


@pytest.fixture
def world(db_app):
    world = safeguarding_world(db_app)
    yield world
    world.close()


def _alerts(socket) -> list[dict]:
    return events(socket, "moderation:alert")


def _case_url(case_id: int) -> str:
    return f"/moderation/safeguarding/{case_id}"


def _raise_on_post(world, username: str, post_id: int, **data):
    client = world.http(username)
    path = f"/g/{world.slug}/posts/{post_id}/worried"
    return client, post_form(client, path, {"note": "", **data})


def _published_topic(world, username: str = "noor", body: str = "Does anyone else find evenings hard?"):
    client = world.http(username)
    response = topic_form(client, world.slug, body, title="Evenings")
    assert response.status_code == 200
    with world.app.app_context():
        from community.forum.models import Post

        return db.session.scalar(select(Post).order_by(Post.id.desc()).limit(1)).id


# --- detection in the forum and the chat -------------------------------------------------------------------------


def test_crisis_language_in_a_topic_is_held_urgent_the_writer_sees_helplines_and_moderators_are_alerted(world):
    moderator, member = world.socket("youthworker"), world.socket("noor")
    sam = world.http("sam")
    page = topic_form(sam, world.slug, CRISIS).get_data(as_text=True)
    assert "113 Zelfmoordpreventie" in page and "0800-0113" in page
    assert "112" in page
    assert '<a href="/help">All places to get help</a>' in page, "the notice links to the helplines page"

    [case] = cases(world.app)
    assert (case.source, case.severity, case.category, case.status) == ("detected", "concern", "suicide", "open")
    assert case.subject_id == world.ids["sam"] and case.target_type == "post"
    assert case.phrase_ids and all(pid.startswith("en.") for pid in case.phrase_ids)
    with world.app.app_context():
        item = db.session.get(QueueItem, case.queue_item_id)
        assert item.priority == PRIORITY_URGENT and item.target_id == case.target_id

    [alert] = _alerts(moderator)
    assert alert == {
        "kind": "safeguarding", "case_id": case.id, "group": "Young people", "severity": "concern",
        "source": "detected", "url": _case_url(case.id),
    }  # fmt: skip
    assert _alerts(member) == [], "only moderators are alerted"

    [opened] = audit_rows(world.app)
    assert opened.action == "safeguarding.case_opened" and opened.target_id == case.id and opened.actor_id is None
    assert opened.details["phrase_ids"] == case.phrase_ids and opened.details["subject_id"] == world.ids["sam"]
    assert "kill" not in str(opened.details).replace("kill_myself", ""), "no member text in the audit log"


def test_the_writers_own_held_reply_shows_the_helplines(world):
    post_id = _published_topic(world)
    sam = world.http("sam")
    with world.app.app_context():
        from community.forum.models import Post

        topic_id = db.session.get(Post, post_id).topic_id
    path = f"/g/{world.slug}/t/{topic_id}"
    response = post_form(sam, f"{path}/reply", {"body": ACUTE, "content_warning": ""}, form_page=path)
    assert response.status_code == 303
    page = sam.get(response.headers["Location"]).get_data(as_text=True)
    assert "Waiting for a moderator" in page
    notice = page[page.index('class="safeguarding-notice"') :]
    assert notice.index('href="/help"') < notice.index("</div>"), "the held post's note links to the helplines"
    [case] = cases(world.app)
    assert case.severity == "acute" and case.due_at - case.opened_at == timedelta(minutes=15)
    # Another member does not see the held reply, nor its notice.
    assert "safeguarding-notice" not in world.http("noor").get(path).get_data(as_text=True)


def test_crisis_language_in_the_chat_is_held_and_the_ack_carries_the_helplines(world):
    moderator = world.socket("youthworker")
    sam = world.socket("sam")
    sam.emit("chat:join", {"conversation_id": world.room_id}, callback=True)
    ack = send(sam, world, "ik wil niet meer leven", "crisis-1")
    assert ack["ok"] is True and ack["message"]["state"] == "held"
    assert any("113" in notice and "<a" not in notice for notice in ack["notices"])
    assert ack["help"]["url"] == "/help"
    [case] = cases(world.app)
    assert case.target_type == "message" and case.target_id == ack["message"]["id"]
    assert [a["case_id"] for a in _alerts(moderator)] == [case.id]


def test_a_second_signal_on_the_same_message_joins_the_open_case_and_shortens_its_clock(world):
    sam = world.socket("sam")
    sam.emit("chat:join", {"conversation_id": world.room_id}, callback=True)
    ack = send(sam, world, "I want to die", "c-1")
    with world.app.app_context():
        item = QueueItem(group_id=world.group_id, kind="held", target_type="message", target_id=ack["message"]["id"])
        db.session.add(item)
        db.session.flush()
        writer = db.session.get(User, world.ids["sam"])
        services.open_case_for_held(item, assess("I am going to kill myself tonight", ["en"]), writer)
        db.session.commit()
    [case] = cases(world.app)
    assert case.severity == "acute", "an acute signal shortens the clock of the open case"
    assert case.due_at <= utcnow() + timedelta(minutes=15)
    actions = [row.action for row in audit_rows(world.app)]
    assert actions == ["safeguarding.case_opened", "safeguarding.case_signal_again"]
