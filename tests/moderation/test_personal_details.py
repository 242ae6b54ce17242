"""Personal details: what is detected (and what is not), and the "warn, then publish anyway" journey in the
forum (new topic, reply, edit) and in the chat (socket acknowledgement, then a resend with the flag; and the
page without JavaScript)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from community.chat.models import Message
from community.extensions import db, socketio
from community.forum.models import Post, Topic
from community.moderation.filter_models import GroupModerationSettings
from community.moderation.models import QueueItem
from community.moderation.personal_details import _bsn_valid, detect
from tests.factories import post_form
from tests.moderation.test_pipeline_world import world_fixture  # noqa: F401 (the "world" fixture)

WARNING_WORDS = "seems to contain"


@pytest.mark.parametrize(
    ("text", "kinds"),
    [
        ("Bel me op 06-12345678", ("phone",)),
        ("mijn nummer: 0612345678", ("phone",)),
        ("Call +31 6 1234 5678 tonight", ("phone",)),
        ("Ring 020 123 4567", ("phone",)),
        ("My UK number is +44 20 7946 0958", ("phone",)),
        ("Mail me at sam.jansen@example.nl", ("email",)),
        ("We wonen aan de Kerkstraat 12 in Utrecht", ("address",)),
        ("I live at 221 Baker Street", ("address",)),
        ("Postcode 1234 AB", ("postcode",)),
        ("postcode 1234ab", ("postcode",)),
        ("Mijn BSN is 111222333", ("bsn",)),
        ("BSN 123.456.782", ("bsn",)),
        ("She was born on 12-03-2011", ("birth_date",)),
        ("geboren op 3 maart 2009", ("birth_date",)),
        ("My son Jan de Vries is 14", ("child_name",)),
        ("mijn dochter heet Lotte van der Berg", ("child_name",)),
        ("Our daughter, Emma Bakker, started school", ("child_name",)),
    ],
)
def test_identifying_details_are_found(text, kinds):
    assert detect(text) == kinds


@pytest.mark.parametrize(
    "text",
    [
        "Call 113 or 0800-0113, or chat at 113.nl",  # helplines are not personal details
        "De Kindertelefoon: 0800-0432",
        "I slept 8 hours, took 2 pills at 10 and it was 2024",
        "In 2023 we moved; it took 12 weeks",
        "The appointment is on 12-03-2024",  # a date, but not a date of birth
        "My son is 14 and loves football",
        "my son Jan is doing better",  # a first name alone is not a full name
        "123456789",  # nine digits that fail the 11-check
        "Room 1234 of the hospital",
        "Twitter handle @sam",
    ],
)
def test_ordinary_text_is_not_flagged(text):
    assert detect(text) == ()


def test_the_bsn_eleven_check():
    assert _bsn_valid("111222333") and _bsn_valid("123456782")
    assert not _bsn_valid("123456789") and not _bsn_valid("000000000") and not _bsn_valid("12345678")


# --- the forum ------------------------------------------------------------------------------------------------


def test_a_new_topic_with_a_phone_number_is_warned_then_published_anyway(world):
    url = f"/g/{world.slug}/topics/new"
    sam = world.client("sam")
    data = {"title": "Night shifts", "body": "Text me: 06-12345678"}
    warned = post_form(sam, url, data)
    page = warned.get_data(as_text=True)
    assert warned.status_code == 400
    assert WARNING_WORDS in page and "a phone number" in page
    assert "Publish anyway" in page and 'name="confirm_personal_details"' in page
    assert "06-12345678" in page, "the text is kept in the form for editing"
    with world.app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Topic)) == 0, "nothing stored before the answer"
    published = post_form(sam, url, {**data, "confirm_personal_details": "1"})
    assert published.status_code == 303
    with world.app.app_context():
        topic = db.session.scalar(select(Topic))
        assert (topic.title, topic.state) == ("Night shifts", "published")


def test_an_edited_text_without_details_needs_no_confirmation(world):
    url = f"/g/{world.slug}/topics/new"
    sam = world.client("sam")
    assert post_form(sam, url, {"title": "Night shifts", "body": "Text me: 06-12345678"}).status_code == 400
    assert post_form(sam, url, {"title": "Night shifts", "body": "Text me here."}).status_code == 303


def test_a_reply_and_an_edit_are_warned_then_published_anyway(world):
    topic_id = world.topic("noor")
    topic_url = f"/g/{world.slug}/t/{topic_id}"
    sam = world.client("sam")
    body = {"body": "Our address is Kerkstraat 12, 1234 AB"}
    warned = post_form(sam, f"{topic_url}/reply", body, form_page=topic_url)
    text = warned.get_data(as_text=True)
    assert warned.status_code == 400 and "a street address, a postcode" in text and "Publish anyway" in text
    done = post_form(sam, f"{topic_url}/reply", {**body, "confirm_personal_details": "1"}, form_page=topic_url)
    assert done.status_code == 303
    with world.app.app_context():
        post_id = db.session.scalar(select(Post.id).where(Post.author_id == world.ids["sam"]))
    edit_url = f"/g/{world.slug}/posts/{post_id}/edit"
    changed = {"body": "Mail me: sam@example.org", "content_warning": ""}
    warned = post_form(sam, edit_url, changed)
    assert warned.status_code == 400 and "an e-mail address" in warned.get_data(as_text=True)
    with world.app.app_context():
        assert "Kerkstraat" in db.session.get(Post, post_id).body_source, "the warning changed nothing"
    assert post_form(sam, edit_url, {**changed, "confirm_personal_details": "1"}).status_code == 303
    with world.app.app_context():
        assert db.session.get(Post, post_id).body_source == "Mail me: sam@example.org"


def test_in_a_hold_group_personal_details_go_to_the_moderators_without_a_warning(world):
    with world.app.app_context():
        db.session.add(GroupModerationSettings(group_id=world.group_id, personal_details_mode="hold"))
        db.session.commit()
    response = post_form(
        world.client("sam"), f"/g/{world.slug}/topics/new", {"title": "About me", "body": "I was born on 1-2-2010"}
    )
    assert response.status_code == 303
    with world.app.app_context():
        post = db.session.scalar(select(Post))
        item = db.session.scalar(select(QueueItem))
        assert post.state == "held" and item.target_id == post.id
        assert item.reason == "Personal details: a date of birth."


# --- the chat -------------------------------------------------------------------------------------------------


def socket_for(world, name: str):
    http = world.client(name)
    return socketio.test_client(world.app, flask_test_client=http)


def test_a_chat_message_is_warned_in_the_ack_then_resent_with_the_flag(world):
    room_id = world.room_id()
    sock = socket_for(world, "sam")
    payload = {"conversation_id": room_id, "client_id": "pd-1", "body": "App me: 06 12345678"}
    ack = sock.emit("chat:send", payload, callback=True)
    assert ack["ok"] is False
    assert ack["warning"]["code"] == "personal_details" and ack["warning"]["kinds"] == ["phone"]
    assert ack["warning"]["confirm_field"] == "confirm_personal_details"
    assert "a phone number" in ack["warning"]["message"]
    with world.app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Message)) == 0
    ack = sock.emit("chat:send", {**payload, "confirm_personal_details": True}, callback=True)
    assert ack["ok"] is True and ack["message"]["client_id"] == "pd-1"
    bad = sock.emit("chat:send", {**payload, "client_id": "pd-2", "confirm_personal_details": "yes"}, callback=True)
    assert bad["ok"] is False and bad["field"] == "confirm_personal_details"
    sock.disconnect()


def test_the_chat_page_without_javascript_offers_publish_anyway(world):
    sam = world.client("sam")
    room_url = f"/g/{world.slug}/chat"
    page = sam.get(room_url).get_data(as_text=True)
    import re

    client_id = re.search(r'id="chat-client-id"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*id="chat-client-id"', page)
    client_id = next(group for group in client_id.groups() if group)
    data = {"body": "Mail me at sam@example.org", "client_id": client_id, "reply_to_id": ""}
    warned = post_form(sam, f"{room_url}/send", data, form_page=room_url)
    text = warned.get_data(as_text=True)
    assert warned.status_code == 400 and "Publish anyway" in text and "an e-mail address" in text
    sent = post_form(sam, f"{room_url}/send", {**data, "confirm_personal_details": "1"}, form_page=room_url)
    assert sent.status_code == 303
    with world.app.app_context():
        assert db.session.scalar(select(Message.body_source)) == "Mail me at sam@example.org"
