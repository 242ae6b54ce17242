"""The chat pages over HTTP: a group's room, a private conversation, the list of conversations, and the form
fallbacks that work without JavaScript (send, hide my presence)."""

from __future__ import annotations

import re
from datetime import timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import select, update

from community.accessibility.models import MemberPreferences
from community.chat import private, sending, unread
from community.chat import services as chat
from community.chat.models import Message
from community.core.time import utcnow
from community.extensions import db
from community.groups import services as groups
from community.groups.models import Membership
from tests.factories import add_to_group, csrf_token, make_group, make_user, post_form, sign_in

ROOM = "/g/young-people/chat"


@pytest.fixture
def world(app):
    """Young people: sam and noor (members), yara (moderator); otto is in another group; admin in none."""
    with app.app_context():
        admin = make_user("admin", admin=True)
        group = make_group(admin, "Young people")
        other = make_group(admin, "Parents")
        people = {"admin": admin}
        for username, target, role in (
            ("sam", group, "member"),
            ("noor", group, "member"),
            ("yara", group, "moderator"),
            ("otto", other, "member"),
        ):
            people[username] = make_user(username)
            add_to_group(admin, target, people[username], role=role)
        return {"group_id": group.id, **{name: user.id for name, user in people.items()}}


def _send(app, username: str, body: str, *, client_id: str | None = None) -> SimpleNamespace:
    """A message sent through the service, as chat:send does: its id and its conversation's."""
    with app.app_context():
        from community.auth.models import User

        user = db.session.scalar(select(User).where(User.username == username))
        access = groups.open_group(user, "young-people")
        room = chat.group_room_conversation(access.group.id)
        result = sending.send_message(user, access, room, client_id=client_id or f"{username}-{body[:20]}", body=body)
        db.session.commit()
        return SimpleNamespace(id=result.message.id, conversation_id=result.message.conversation_id)


def _messages(app) -> list[Message]:
    with app.app_context():
        return list(db.session.scalars(select(Message).order_by(Message.seq)))


def _send_form(client, body: str, **extra) -> object:
    return post_form(
        client, f"{ROOM}/send", {"body": body, "client_id": extra.pop("client_id", "form-1"), **extra}, form_page=ROOM
    )


# --- the room page -------------------------------------------------------------------------------------------


def test_a_member_sees_the_room_with_the_latest_messages_newest_at_the_bottom(app, client, world):
    _send(app, "noor", "First **hello**")
    _send(app, "sam", "Second message")
    sign_in(client, "sam")
    response = client.get(ROOM)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<h1>Chat in <bdi>Young people</bdi></h1>" in html
    assert html.index("First <strong>hello</strong>") < html.index("Second message")
    assert '<label class="field__label" for="chat-body">Message</label>' in html
    assert re.search(r'<time datetime="\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"', html)
    assert '<h3 class="chat-day__heading"><span>Today</span></h3>' in html
    assert f'action="{ROOM}/send"' in html


def test_the_group_page_links_to_its_chat(app, client, world):
    sign_in(client, "sam")
    html = client.get("/g/young-people").get_data(as_text=True)
    assert f'href="{ROOM}"' in html and "Open the chat" in html


@pytest.mark.parametrize("username", ["otto", "admin"])
def test_people_outside_the_group_get_not_found_for_the_room_and_its_forms(app, client, world, username):
    _send(app, "noor", "Only for the group")
    sign_in(client, username)
    assert client.get(ROOM).status_code == 404
    token = csrf_token(client, "/")
    for path, data in ((f"{ROOM}/send", {"body": "hi", "client_id": "x-1"}), (f"{ROOM}/presence", {"hide": "1"})):
        assert client.post(path, data={**data, "csrf_token": token}).status_code == 404
    assert [m.body_source for m in _messages(app)] == ["Only for the group"]


def test_an_anonymous_visitor_is_sent_to_sign_in(client, world):
    response = client.get(ROOM)
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_day_separators_say_today_yesterday_or_the_date(app, client, world):
    old = _send(app, "noor", "Long ago")
    yesterday = _send(app, "noor", "Last night")
    _send(app, "noor", "This morning")
    with app.app_context():
        now = utcnow()
        db.session.execute(update(Message).where(Message.id == old.id).values(created_at=now - timedelta(days=40)))
        db.session.execute(update(Message).where(Message.id == yesterday.id).values(created_at=now - timedelta(days=1)))
        db.session.commit()
        expected_date = (now - timedelta(days=40)).year
    sign_in(client, "sam")
    headings = re.findall(
        r'<h3 class="chat-day__heading"><span>([^<]+)</span></h3>', client.get(ROOM).get_data(as_text=True)
    )
    assert headings[1:] == ["Yesterday", "Today"]
    assert str(expected_date) in headings[0]


def test_older_messages_are_one_link_away_and_the_latest_page_is_live(app, client, world, monkeypatch):
    monkeypatch.setattr("community.chat.throttle.hit_send_rate", lambda user_id: 0)  # 55 messages at once
    for number in range(1, 56):
        _send(app, "noor", f"message number {number}", client_id=f"c-{number}")
    sign_in(client, "sam")
    html = client.get(ROOM).get_data(as_text=True)
    assert "message number 6<" in html and "message number 5<" not in html
    assert 'data-live="true"' in html
    older = re.search(r'id="chat-older" href="([^"]+)"', html).group(1).replace("&amp;", "&")
    assert older == f"{ROOM}?before=6"
    page = client.get(older).get_data(as_text=True)
    assert "message number 1<" in page and "message number 5<" in page and "message number 6<" not in page
    assert 'data-live="false"' in page and "Back to the latest messages" in page
    assert 'id="chat-older"' not in page


def _message_html(html: str, message_id: int) -> str:
    return html.split(f'id="message-{message_id}"', 1)[1].split("</details>\n</li>", 1)[0]


def test_each_message_is_name_time_and_text_with_its_actions_in_one_menu_that_works_without_javascript(
    app, client, world
):
    theirs = _send(app, "noor", "مرحبا، كيف حالكم؟")
    mine = _send(app, "sam", "Hello all")
    sign_in(client, "sam")
    html = client.get(ROOM).get_data(as_text=True)
    other = _message_html(html, theirs.id)
    # The name isolated, the text in its own direction: Arabic in the English page stays whole.
    assert '<bdi class="chat-msg__author">Noor</bdi>' in other
    assert re.search(r'<div class="chat-msg__body" dir="auto">\s*<p>مرحبا، كيف حالكم؟</p>\s*</div>', other)
    # One menu: a <details> whose summary names the message; report and "worried" are plain links in it.
    assert other.count("<details") == 1 and other.count("<summary") == 1
    summary = re.search(r'<summary class="action-menu__button">(.*?)</summary>', other).group(1)
    assert re.search(r'<span class="visually-hidden">Actions for the message from Noor at \d\d?:\d\d', summary)
    menu = other.split("data-action-menu-list>", 1)[1]
    assert f'href="/moderation/report/message/{theirs.id}"' in menu
    assert f'href="/messages/{theirs.id}/worried"' in menu
    # On one's own message: nothing to report, nobody to worry about (read aloud comes with the script).
    own = _message_html(html, mine.id)
    assert "/moderation/report/" not in own and "/worried" not in own
    assert "<li data-read-aloud-slot hidden></li>" in own


def test_the_worried_and_report_links_of_the_menu_lead_to_working_pages(app, client, world):
    theirs = _send(app, "noor", "A long day today")
    sign_in(client, "sam")
    menu = _message_html(client.get(ROOM).get_data(as_text=True), theirs.id).split("data-action-menu-list>", 1)[1]
    for href in re.findall(r'href="([^"#]+)"', menu):
        assert client.get(href).status_code == 200, href


def test_reply_without_javascript_is_a_link_that_sets_the_message_box_to_answer_that_message(app, client, world):
    theirs = _send(app, "noor", "Does anyone else feel this?")
    sign_in(client, "sam")
    html = client.get(ROOM).get_data(as_text=True)
    menu = _message_html(html, theirs.id).split("data-action-menu-list>", 1)[1]
    link = f"{ROOM}?reply_to={theirs.id}#chat-form"
    assert f'<a href="{link}">Reply</a>' in menu
    assert '<div class="chat-replying" id="chat-replying" hidden>' in html  # not replying yet

    page = client.get(link.split("#")[0]).get_data(as_text=True)
    assert '<div class="chat-replying" id="chat-replying">' in page
    assert '<span id="chat-replying-text">Replying to Noor</span>' in page
    assert re.search(rf'<input[^>]*id="chat-reply-to"[^>]*value="{theirs.id}"', page)
    assert f'<a class="chat-tool" id="chat-reply-cancel" href="{ROOM}#chat-form">Cancel reply</a>' in page
    assert _send_form(client, "Yes, me too", reply_to_id=str(theirs.id)).status_code == 303
    assert _messages(app)[-1].reply_to_id == theirs.id


@pytest.mark.parametrize("value", ["abc", "-1", "0", "99999", "1" * 11, "", "1 OR 1=1"])
def test_a_reply_link_naming_no_message_on_the_page_is_ignored(app, client, world, value):
    _send(app, "noor", "Hello")
    sign_in(client, "sam")
    response = client.get(ROOM, query_string={"reply_to": value})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert '<div class="chat-replying" id="chat-replying" hidden>' in html
    assert not re.search(r'<input[^>]*id="chat-reply-to"[^>]*value="[^"]', html)


def test_a_reply_link_to_a_message_of_another_room_or_a_held_one_is_ignored(app, client, world):
    with app.app_context():
        from community.auth.models import User

        otto = db.session.scalar(select(User).where(User.username == "otto"))
        access = groups.open_group(otto, "parents")
        room = chat.group_room_conversation(access.group.id)
        elsewhere = sending.send_message(otto, access, room, client_id="otto-1", body="In the other group").message.id
        db.session.commit()
    held = _send(app, "sam", "I want to die")  # crisis words: held for a moderator, shown to its writer
    sign_in(client, "sam")
    for target in (elsewhere, held.id):
        html = client.get(ROOM, query_string={"reply_to": target}).get_data(as_text=True)
        assert '<div class="chat-replying" id="chat-replying" hidden>' in html, target
    assert f"reply_to={held.id}" not in client.get(ROOM).get_data(as_text=True)


def test_a_member_who_cannot_write_gets_no_reply_link(app, client, world):
    theirs = _send(app, "noor", "Hello")
    with app.app_context():
        db.session.execute(update(Membership).where(Membership.user_id == world["sam"]).values(state="muted"))
        db.session.commit()
    sign_in(client, "sam")
    html = client.get(ROOM, query_string={"reply_to": theirs.id}).get_data(as_text=True)
    assert "?reply_to=" not in html and 'id="chat-reply-to"' not in html  # no link, no message box


def test_message_text_is_only_the_sanitised_html_and_names_are_escaped(app, client, world):
    with app.app_context():
        from community.auth.models import User

        noor = db.session.scalar(select(User).where(User.username == "noor"))
        noor.display_name = "<b>Noor</b>"
        db.session.commit()
    _send(app, "noor", "<script>alert(1)</script> <img src=x onerror=alert(2)> [link](javascript:alert(3))")
    sign_in(client, "sam")
    html = client.get(ROOM).get_data(as_text=True)
    body = html[html.index('class="chat-msg__body"') : html.index("</ol>")]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body  # shown as text, not run
    assert "<script" not in body and "<img" not in body and 'href="javascript:' not in body
    assert "&lt;b&gt;Noor&lt;/b&gt;" in html


def test_the_page_gives_the_script_its_words_and_nothing_to_execute_inline(app, client, world):
    sign_in(client, "sam")
    html = client.get(ROOM).get_data(as_text=True)
    assert '<script type="application/json" id="chat-strings">' in html
    assert '"reconnecting": "Reconnecting\\u2026"' in html or '"reconnecting": "Reconnecting…"' in html
    inline = re.findall(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", html)
    assert inline == []
    assert "js/chat.js" in html and ' style="' not in html


# --- sending without JavaScript ------------------------------------------------------------------------------


def test_the_form_sends_a_message_and_returns_to_the_room(db_app):
    app = db_app
    client = app.test_client()
    with app.app_context():
        admin = make_user("admin", admin=True)
        group = make_group(admin, "Young people")
        add_to_group(admin, group, make_user("sam"))
    sign_in(client, "sam")
    response = _send_form(client, "Hello from a plain form", client_id="plain-1")
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"{ROOM}#chat-form")
    assert [(m.body_source, m.seq, m.state) for m in _messages(app)] == [("Hello from a plain form", 1, "published")]
    assert "Hello from a plain form" in client.get(ROOM).get_data(as_text=True)

    again = _send_form(client, "Hello from a plain form", client_id="plain-1")  # a double submit
    assert again.status_code == 303
    assert len(_messages(app)) == 1


def test_each_page_gives_the_form_a_new_client_id(client, world):
    sign_in(client, "sam")
    ids = {
        re.search(r'id="chat-client-id"[^>]*value="([^"]+)"', client.get(ROOM).get_data(as_text=True)).group(1)
        for _ in range(2)
    }
    assert len(ids) == 2


@pytest.mark.parametrize(
    ("body", "extra", "error"),
    [
        ("   ", {}, "Write something before you send it."),
        ("x" * 4001, {}, "A message can be at most 4,000 characters."),
        ("hello", {"reply_to_id": "abc"}, "The message you are replying to is no longer there."),
        ("hello", {"reply_to_id": "999999"}, "The message you are replying to is no longer there."),
        ("hello", {"client_id": ""}, "The message has no valid client id."),
    ],
)
def test_bad_input_is_shown_with_the_text_kept_and_nothing_is_stored(app, client, world, body, extra, error):
    sign_in(client, "sam")
    response = _send_form(client, body, **extra)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert error in html
    assert 'aria-invalid="true"' in html
    if body.strip():
        assert body[:100] in html  # the text is still in the box
    assert _messages(app) == []


def test_a_reply_names_the_message_it_answers(app, client, world):
    first = _send(app, "noor", "Does anyone else feel this?")
    sign_in(client, "sam")
    assert _send_form(client, "Yes, me too", reply_to_id=str(first.id)).status_code == 303
    html = client.get(ROOM).get_data(as_text=True)
    assert f'<a href="#message-{first.id}" dir="auto">Reply to Noor: Does anyone else feel this?</a>' in html


def test_a_reply_to_a_message_of_another_group_is_refused(app, client, world):
    with app.app_context():
        from community.auth.models import User

        otto = db.session.scalar(select(User).where(User.username == "otto"))
        access = groups.open_group(otto, "parents")
        foreign = sending.send_message(
            otto, access, chat.group_room_conversation(access.group.id), client_id="o", body="ours"
        ).message
        db.session.commit()
        foreign_id = foreign.id
    sign_in(client, "sam")
    response = _send_form(client, "sneaky", reply_to_id=str(foreign_id))
    assert response.status_code == 400
    assert [m.body_source for m in _messages(app)] == ["ours"]


def test_without_the_csrf_token_nothing_is_sent(app, client, world):
    sign_in(client, "sam")
    response = client.post(f"{ROOM}/send", data={"body": "hi", "client_id": "c"})
    assert response.status_code == 400
    assert _messages(app) == []


def test_a_held_message_shows_to_its_writer_as_waiting_and_to_no_other_member(app, client, world):
    with app.app_context():
        from community.auth.models import User
        from community.groups.models import Group

        admin = db.session.get(User, world["admin"])
        group = db.session.get(Group, world["group_id"])
        groups.update_group(admin, group, name=group.name, premoderation="all")
        db.session.commit()
    sign_in(client, "sam")
    response = _send_form(client, "Please check me first")
    assert response.status_code == 303
    assert [m.state for m in _messages(app)] == ["held"]
    html = client.get(ROOM).get_data(as_text=True)
    assert "Please check me first" in html and "Waiting for a moderator" in html
    assert "Your message is waiting for a moderator." in html  # the flash after sending

    noor = app.test_client()
    sign_in(noor, "noor")
    assert "Please check me first" not in noor.get(ROOM).get_data(as_text=True)


def test_a_muted_member_reads_but_has_no_message_box_and_cannot_post(app, client, world):
    _send(app, "noor", "Still readable")
    sign_in(client, "sam")
    token = csrf_token(client, ROOM)
    with app.app_context():
        db.session.execute(update(Membership).where(Membership.user_id == world["sam"]).values(state="muted"))
        db.session.commit()
    html = client.get(ROOM).get_data(as_text=True)
    assert "Still readable" in html
    assert 'id="chat-form"' not in html
    assert "You are muted in this group for now" in html
    response = client.post(f"{ROOM}/send", data={"body": "hi", "client_id": "m-1", "csrf_token": token})
    assert response.status_code == 400
    assert "You are muted" in response.get_data(as_text=True)
    assert len(_messages(app)) == 1


# --- presence ------------------------------------------------------------------------------------------------


def test_hide_my_presence_is_a_form_that_sets_the_preference_and_can_be_undone(app, client, world):
    sign_in(client, "sam")
    assert "Hide that I am here" in client.get(ROOM).get_data(as_text=True)
    response = post_form(client, f"{ROOM}/presence", {"hide": "1"}, form_page=ROOM)
    assert response.status_code == 303 and response.headers["Location"].endswith(ROOM)
    with app.app_context():
        assert db.session.get(MemberPreferences, world["sam"]).hide_presence is True
    html = client.get(ROOM).get_data(as_text=True)
    assert "Show me as here" in html and "Others no longer see when you are here." in html
    post_form(client, f"{ROOM}/presence", {"hide": "0"}, form_page=ROOM)
    with app.app_context():
        assert db.session.get(MemberPreferences, world["sam"]).hide_presence is False


def test_a_bad_presence_value_is_refused(app, client, world):
    sign_in(client, "sam")
    assert post_form(client, f"{ROOM}/presence", {"hide": "maybe"}, form_page=ROOM).status_code == 400
    with app.app_context():
        assert db.session.get(MemberPreferences, world["sam"]) is None


# --- private conversations -----------------------------------------------------------------------------------


def _private(app, world) -> int:
    """sam starts a private conversation with yara, the group's moderator."""
    with app.app_context():
        from community.auth.models import User

        sam = db.session.get(User, world["sam"])
        access = groups.open_group(sam, "young-people")
        started = private.start_private_conversation(sam, access, world["yara"])
        db.session.commit()
        return started.conversation.id


def test_the_two_people_of_a_private_conversation_read_and_write_in_it(app, client, world):
    conversation_id = _private(app, world)
    path = f"/conversations/{conversation_id}"
    sign_in(client, "sam")
    html = client.get(path).get_data(as_text=True)
    assert "<h1>Conversation with <bdi>Yara</bdi></h1>" in html
    response = post_form(client, f"{path}/send", {"body": "The question I forgot", "client_id": "p-1"}, form_page=path)
    assert response.status_code == 303 and response.headers["Location"].endswith(f"{path}#chat-form")

    yara = app.test_client()
    sign_in(yara, "yara")
    page = yara.get(path).get_data(as_text=True)
    assert "<h1>Conversation with <bdi>Sam</bdi></h1>" in page and "The question I forgot" in page


@pytest.mark.parametrize("username", ["noor", "otto", "admin"])
def test_anyone_else_gets_not_found_for_a_private_conversation(app, client, world, username):
    conversation_id = _private(app, world)
    sign_in(client, username)
    assert client.get(f"/conversations/{conversation_id}").status_code == 404
    token = csrf_token(client, "/")
    data = {"body": "let me in", "client_id": "z", "csrf_token": token}
    assert client.post(f"/conversations/{conversation_id}/send", data=data).status_code == 404
    assert client.get("/conversations/999999").status_code == 404


def test_a_moderator_who_is_not_in_it_cannot_read_it_before_it_is_reported(app, client, world):
    with app.app_context():
        from community.auth.models import User
        from community.groups.models import Group

        add_to_group(
            db.session.get(User, world["admin"]),
            db.session.get(Group, world["group_id"]),
            make_user("moira"),
            role="moderator",
        )
    conversation_id = _private(app, world)
    sign_in(client, "moira")
    assert client.get(f"/conversations/{conversation_id}").status_code == 404


def test_a_group_room_by_its_id_leads_to_the_room_page(app, client, world):
    room_id = _send(app, "noor", "hi").conversation_id
    sign_in(client, "sam")
    response = client.get(f"/conversations/{room_id}")
    assert response.status_code == 303 and response.headers["Location"].endswith(ROOM)


def test_my_conversations_lists_private_ones_and_rooms_with_unread_counts(app, client, world):
    conversation_id = _private(app, world)
    yara = app.test_client()
    sign_in(yara, "yara")
    path = f"/conversations/{conversation_id}"
    post_form(yara, f"{path}/send", {"body": "How are you?", "client_id": "y-1"}, form_page=path)
    post_form(yara, f"{path}/send", {"body": "Take your time.", "client_id": "y-2"}, form_page=path)
    _send(app, "noor", "Hi all")

    sign_in(client, "sam")
    with app.app_context():
        from community.auth.models import User

        assert sum(unread.unread_counts(db.session.get(User, world["sam"])).values()) == 3
    html = client.get("/conversations").get_data(as_text=True)
    assert f'href="/conversations/{conversation_id}" dir="auto">Yara</a>' in html
    assert "2 unread" in html and "1 unread" in html
    assert f'href="{ROOM}" dir="auto">Young people</a>' in html
    assert "How are you?" not in html  # a list shows who, never what
    assert re.search(r">Chats<span data-chat-unread-count> \(3\)</span>", html)


def test_the_navigation_shows_no_count_when_all_is_read(app, client, world):
    sign_in(client, "sam")
    html = client.get("/").get_data(as_text=True)
    assert re.search(r">Chats<span data-chat-unread-count hidden> \(0\)</span>", html)


def test_a_failing_unread_count_never_breaks_a_page(app, client, world, monkeypatch):
    from sqlalchemy.exc import OperationalError

    def broken(user):
        raise OperationalError("SELECT", {}, Exception("database went away"))

    monkeypatch.setattr("community.chat.unread.unread_counts", broken)
    sign_in(client, "sam")
    response = client.get("/")
    assert response.status_code == 200
    assert re.search(r">Chats<span data-chat-unread-count hidden>", response.get_data(as_text=True))


def test_a_group_without_a_room_yet_shows_an_empty_room_and_the_first_message_makes_it(app, client, world):
    from sqlalchemy import delete

    from community.chat.models import Conversation

    with app.app_context():  # a group made before rooms came with the group
        db.session.execute(delete(Conversation).where(Conversation.group_id == world["group_id"]))
        db.session.commit()
    sign_in(client, "sam")
    html = client.get(ROOM).get_data(as_text=True)
    assert "No messages yet." in html and 'data-live="false"' in html
    with app.app_context():
        assert db.session.scalars(select(Conversation).where(Conversation.group_id == world["group_id"])).all() == []
    assert _send_form(client, "First words here").status_code == 303
    assert [m.body_source for m in _messages(app)] == ["First words here"]
