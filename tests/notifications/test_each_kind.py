"""Each notification kind end to end: the event, the notification centre, the live update over Socket.IO, and the
email captured by a real SMTP server, which carries no member content and no name of the (sensitive) group."""

from __future__ import annotations

import re

import pytest

from community.extensions import db
from community.groups.models import Group
from community.notifications import outbox, preferences, services
from community.notifications.kinds import KINDS
from tests.notifications.conftest import body_of
from tests.notifications.world import NOOR_EMAIL, SECRET_WORDS, build_world, notifications_of

# What the centre says for each kind (the group is "Parents").
CENTRE_TEXT = {
    "mention": "Sam mentioned you in “Topic mention” in Parents.",
    "reply": "Sam replied in “Topic reply” in Parents.",
    "announcement": "There is a new announcement in Parents.",
    "professional_answer": "A professional answered your question in Parents.",
    "request_accepted": "Your request in Parents was accepted.",
    "request_declined": "Your request in Parents was declined.",
    "moderation_outcome": "A moderator made a decision about something you wrote in Parents.",
    "appeal_outcome": "Your appeal has been answered.",
    "request_received": "Mona asked to talk with you in Parents.",
    "question_waiting": "A question is waiting for your team in Parents.",
    "private_message": "Sam wrote to you in a private conversation in Parents.",
    "chat_mention": "Sam mentioned you in the chat of Parents.",
    "new_topic": "Sam started a new topic, “Topic new”, in Parents.",
    "held_item": "Posts or messages are waiting for your review in Parents.",
    "safeguarding_case": "A safeguarding case was opened in Parents. Please look at it soon.",
    "safeguarding_escalation": (
        "Nobody took a safeguarding case in Parents in time. "
        "You are the safeguarding lead on call: please look at it now."
    ),
    "event_reminder": "An event you are going to in Parents starts soon.",
    "event_cancelled": "An event you were going to in Parents was cancelled.",
}


def _raise(world, kind: str) -> None:
    """The event behind each kind: the forum's real write path for forum kinds; the other features' events
    (professionals, moderation) call notify() exactly like this."""
    if kind in ("private_message", "chat_mention"):  # through Socket.IO, like the chat page
        where = world.private("sam", "noor") if kind == "private_message" else world.room_id()
        world.say(world.socket("sam"), where, f"@Noor {SECRET_WORDS}")
        return
    with world.app.app_context():
        if kind == "mention":
            world.topic("sam", "Topic mention", f"@Noor {SECRET_WORDS}")
        elif kind == "reply":
            opened = world.topic("noor", "Topic reply", "My question")
            world.reply("sam", opened.topic.id, SECRET_WORDS)
        elif kind == "announcement":
            world.announce("Notice", SECRET_WORDS)
        elif kind == "new_topic":
            preferences.set_group_setting(
                world.user("noor"), db.session.get(Group, world.group_id), muted=False, email=None, new_topics=True
            )
            db.session.commit()
            world.topic("sam", "Topic new", SECRET_WORDS)
        else:
            services.notify([world.ids["noor"]], kind=kind, actor_id=world.ids["mona"], group_id=world.group_id,
                            target_type="group", target_id=world.group_id)  # fmt: skip
            db.session.commit()


def test_every_registered_kind_has_centre_text():
    assert set(CENTRE_TEXT) == set(KINDS)


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_a_notification_reaches_the_centre_live_and_by_email_without_content(db_app, smtp, kind):
    world = build_world(db_app)
    smtp.configure(db_app)
    with db_app.app_context():
        world.prefer("noor", kind, email="immediately")
    live = world.socket("noor")

    _raise(world, kind)

    assert [event["kind"] for event in notifications_of(live)] == [kind]
    live.disconnect()
    page = world.http("noor").get("/notifications").get_data(as_text=True)
    assert CENTRE_TEXT[kind] in " ".join(re.sub(r"<[^>]+>", "", page).split())
    with db_app.app_context():
        report = outbox.send_due()
        assert (report.sent, report.failed, report.retried) == (1, 0, 0)
        again = outbox.send_due()  # nothing is sent twice
        assert again.sent == 0
    [message] = smtp.inbox.to(NOOR_EMAIL)
    text = body_of(message) + message["Subject"]
    assert "http://localhost/notifications" in text
    for never in (SECRET_WORDS, "Parents", "Topic", "Sam", "Mona", "Notice"):
        assert never not in text, f"{never!r} leaked into a {kind} email"
    assert len(smtp.inbox.messages) == 1  # the others chose nothing, and a kind's default is not "immediately"


def test_an_unknown_kind_is_a_clear_error_and_nothing_is_stored(db_app):
    world = build_world(db_app)
    with db_app.app_context():
        with pytest.raises(ValueError, match=r"unknown notification kind 'birthday'.*kinds\.py"):
            services.notify([world.ids["noor"]], kind="birthday", actor_id=None, group_id=world.group_id,
                            target_type="group", target_id=world.group_id)  # fmt: skip
        db.session.commit()
        assert services.unread_count(world.ids["noor"]) == 0
        assert outbox.outbox_counts() == {}
