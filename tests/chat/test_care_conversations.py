"""Care conversations: a professional starts a named conversation with several people of the group; it works live
for all of them; nobody else reads it; the adult/minor rule holds for every pair; staff add, remove and rename
(audited, seen by all); members answer a request first and may decline and block (outreach)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from community.attachments import storage
from community.attachments.models import Attachment
from community.auth.models import User
from community.auth.signals import Evidence
from community.chat import member_data, private
from community.chat.models import Conversation, ConversationParticipant, Message
from community.core.errors import Forbidden
from community.core.time import utcnow
from community.extensions import db
from community.groups.access_log import AccessLogEntry
from community.groups.models import Group, Membership
from community.groups.services import open_group
from community.moderation.models import MemberRelation
from community.notifications.models import Notification
from tests.chat.helpers import World, audit_actions, events
from tests.factories import add_to_group, make_group, make_user, post_form

YEAR = utcnow().year


class CareWorld(World):
    """One signed-in client per person (signing in again and again would meet the sign-in rate limit)."""

    def http(self, username: str):
        clients = self.__dict__.setdefault("clients", {})
        if username not in clients:
            clients[username] = super().http(username)
        return clients[username]


def build_care_world(app) -> CareWorld:
    """A family group: a professional and a colleague, two adult parents, a minor, an adult whose age is not known,
    a moderator who is not in the conversations; and someone of another group."""
    with app.app_context():
        admin = make_user("admin", admin=True)
        group = make_group(admin, "Family")
        other = make_group(admin, "Elsewhere")
        ids = {"admin": admin.id}
        for username, target, role, born in (
            ("pro", group, "professional", 1980),
            ("nurse", group, "professional", 1975),
            ("anna", group, "member", 1988),
            ("ben", group, "member", 1986),
            ("kid", group, "member", YEAR - 14),
            ("ageless", group, "member", None),
            ("mod", group, "moderator", 1979),
            ("otto", other, "member", 1990),
        ):
            user = make_user(username, year_of_birth=born)
            add_to_group(admin, target, user, role="moderator" if role == "professional" else role)
            ids[username] = user.id
        db.session.execute(  # the professional role comes from the roles work: set it directly
            Membership.__table__.update()
            .where(Membership.user_id.in_([ids["pro"], ids["nurse"]]))
            .values(role="professional")
        )
        db.session.commit()
        return CareWorld(app, group.id, group.slug, 0, other.id, ids)


@pytest.fixture
def world(app):
    world = build_care_world(app)
    yield world
    world.close()


def start(client, world: World, title: str, *usernames: str):
    path = f"/g/{world.slug}/care/new"
    data = {"title": title, "user_ids": [world.ids[name] for name in usernames]}
    return post_form(client, path, data, form_page=path)


def started_id(response) -> int:
    assert response.status_code == 303, response.get_data(as_text=True)[:800]
    return int(response.headers["Location"].rstrip("/").split("/")[-1])


def answer(client, conversation_id: int, choice: str):
    page = f"/conversations/{conversation_id}"
    return post_form(client, f"{page}/request", {"answer": choice}, form_page=page)


def counts(app, conversation_id: int) -> tuple[int, int, int]:
    """(people in it now, stored lines and messages, conversations)"""
    with app.app_context():
        present = db.session.scalar(
            select(func.count())
            .select_from(ConversationParticipant)
            .where(
                ConversationParticipant.conversation_id == conversation_id, ConversationParticipant.left_at.is_(None)
            )
        )
        lines = db.session.scalar(
            select(func.count()).select_from(Message).where(Message.conversation_id == conversation_id)
        )
        conversations = db.session.scalar(select(func.count()).select_from(Conversation))
        return present, lines, conversations


def texts(items: list[dict]) -> list[str]:
    """What each message or system line says (a chat:message event carries {"message": ...})."""
    messages = [item.get("message", item) for item in items]
    return [
        m["system"]["text"] if m["state"] == "system" else re.sub("<[^>]+>", "", m["body_html"]).strip()
        for m in messages
    ]


def three_person(world: World) -> int:
    """Pro with the two parents, both of whom accepted."""
    conversation_id = started_id(start(world.http("pro"), world, "Anna and Ben's plan", "anna", "ben"))
    for name in ("anna", "ben"):
        assert answer(world.http(name), conversation_id, "accept").status_code == 303
    return conversation_id


# --- the bar -------------------------------------------------------------------------------------------------


def test_a_professionals_three_person_conversation_with_two_parents_works_live_for_all_three(world):
    conversation_id = three_person(world)
    sockets = {name: world.socket(name) for name in ("pro", "anna", "ben")}
    for name, socket in sockets.items():
        joined = socket.emit("chat:join", {"conversation_id": conversation_id}, callback=True)
        assert joined["ok"] is True and joined["conversation"]["can_write"] is True, name
        assert joined["conversation"]["title"] == "Anna and Ben's plan"
        socket.get_received()
    senders = (("pro", "How was the week?"), ("anna", "Better, thank you"), ("ben", "Good"))
    for index, (writer, body) in enumerate(senders):
        ack = sockets[writer].emit(
            "chat:send", {"conversation_id": conversation_id, "client_id": f"c{index}", "body": body}, callback=True
        )
        assert ack["ok"] is True, ack
        for name, socket in sockets.items():
            if name != writer:
                assert texts(events(socket, "chat:message")) == [body], (writer, name)
            else:
                socket.get_received()
    assert "chat.care_started" in audit_actions(world.app)
    with world.app.app_context():  # the private_message notice for every participant but the writer
        told = db.session.scalars(
            select(Notification.user_id).where(
                Notification.kind == "private_message", Notification.target_id == conversation_id
            )
        ).all()
        assert world.ids["pro"] in told and world.ids["anna"] in told and world.ids["ben"] in told


def test_a_member_of_another_group_and_a_moderator_without_a_report_cannot_read_it(world):
    conversation_id = three_person(world)
    for name in ("otto", "mod", "kid"):
        assert world.http(name).get(f"/conversations/{conversation_id}").status_code == 404, name
        assert world.http(name).get(f"/conversations/{conversation_id}/people").status_code == 404, name
        socket = world.socket(name)
        for event, payload in (
            ("chat:join", {"conversation_id": conversation_id}),
            ("chat:catch_up", {"conversation_id": conversation_id, "after_seq": 0}),
            ("chat:send", {"conversation_id": conversation_id, "client_id": "x", "body": "hi"}),
        ):
            assert socket.emit(event, payload, callback=True)["code"] == "not_found", (name, event)
    with world.app.app_context():
        db.session.get(Conversation, conversation_id).reported = True
        db.session.commit()
    mod = world.socket("mod")
    joined = mod.emit("chat:join", {"conversation_id": conversation_id}, callback=True)
    assert joined["ok"] is True and joined["conversation"]["can_write"] is False, "reported: read, never join in"
    with world.app.app_context():  # one access-log line for each of the three people in it
        logged = db.session.scalars(
            select(AccessLogEntry.subject_id).where(
                AccessLogEntry.staff_id == world.ids["mod"], AccessLogEntry.detail == f"conversation {conversation_id}"
            )
        ).all()
        assert sorted(logged) == sorted(world.ids[name] for name in ("pro", "anna", "ben"))
    page = f"/conversations/{conversation_id}/people"
    added = post_form(world.http("mod"), f"{page}/add", {"user_ids": world.ids["kid"]}, form_page=page)
    assert added.status_code == 403, "reading through a report gives no say over the people"


def test_adding_a_minor_to_a_conversation_with_adult_members_is_refused_and_nothing_is_stored(world):
    conversation_id = three_person(world)
    before = counts(world.app, conversation_id)
    audits = audit_actions(world.app)
    page = f"/conversations/{conversation_id}/people"
    response = post_form(world.http("pro"), f"{page}/add", {"user_ids": world.ids["kid"]}, form_page=page)
    assert response.status_code == 400
    assert "Kid is under 18 and Anna is an adult member" in response.get_data(as_text=True)
    assert counts(world.app, conversation_id) == before and audit_actions(world.app) == audits
    refused = start(world.http("pro"), world, "Mixed", "kid", "ben")
    assert refused.status_code == 400 and "under 18" in refused.get_data(as_text=True)
    unknown = start(world.http("pro"), world, "Unknown", "ageless", "anna")
    assert unknown.status_code == 400 and "age is not known" in unknown.get_data(as_text=True)
    assert counts(world.app, conversation_id)[2] == before[2], "no conversation stored"
    # A minor with the professionals: the point of it.
    started_id(start(world.http("pro"), world, "Kid and the team", "kid", "nurse"))


def test_removing_someone_stops_their_live_messages_and_their_reading(world):
    conversation_id = three_person(world)
    sockets = {name: world.socket(name) for name in ("pro", "anna", "ben")}
    for socket in sockets.values():
        socket.emit("chat:join", {"conversation_id": conversation_id}, callback=True)
        socket.get_received()
    page = f"/conversations/{conversation_id}/people"
    response = post_form(world.http("pro"), f"{page}/{world.ids['ben']}/remove", {}, form_page=page)
    assert response.status_code == 303
    assert texts(events(sockets["anna"], "chat:message")) == ["Pro removed Ben"]
    assert "chat.care_person_removed" in audit_actions(world.app)
    sockets["ben"].get_received()
    sockets["pro"].emit(
        "chat:send", {"conversation_id": conversation_id, "client_id": "a", "body": "After"}, callback=True
    )
    assert events(sockets["ben"], "chat:message") == [], "left the room after the commit"
    assert texts(events(sockets["anna"], "chat:message")) == ["After"]
    ack = sockets["ben"].emit("chat:catch_up", {"conversation_id": conversation_id, "after_seq": 0}, callback=True)
    assert ack["code"] == "not_found", "nobody but the people in it now reads it, also not what came before"
    assert world.http("ben").get(f"/conversations/{conversation_id}").status_code == 404
    history = world.http("anna").get(f"/conversations/{conversation_id}").get_data(as_text=True)
    assert "Pro removed Ben" in history


def test_people_who_are_not_staff_cannot_add_remove_or_rename(world):
    conversation_id = three_person(world)
    before, audits = counts(world.app, conversation_id), audit_actions(world.app)
    anna, page = world.http("anna"), f"/conversations/{conversation_id}/people"
    assert post_form(anna, f"{page}/add", {"user_ids": world.ids["nurse"]}, form_page=page).status_code == 403
    assert post_form(anna, f"{page}/{world.ids['ben']}/remove", {}, form_page=page).status_code == 403
    assert (
        post_form(anna, f"/conversations/{conversation_id}/rename", {"title": "Mine"}, form_page=page).status_code
        == 403
    )
    assert counts(world.app, conversation_id) == before and audit_actions(world.app) == audits
    assert "Add people" not in anna.get(page).get_data(as_text=True)
    assert world.http("anna").get(f"/g/{world.slug}/care/new").status_code == 404, "members do not start them"


def file_of(world, message_id: int) -> int:
    """A stored document on a message (the file checks themselves are tests/attachments')."""
    with world.app.app_context():
        message = db.session.get(Message, message_id)
        group_id = db.session.get(Conversation, message.conversation_id).group_id
        name = storage.write(b"%PDF-1.7 plan", "pdf")
        row = Attachment(kind="document", message_id=message_id, group_id=group_id, file_name=name,
                         content_type="application/pdf", byte_size=13, title="Plan", page_count=1)  # fmt: skip
        db.session.add(row)
        db.session.commit()
        return row.id


def test_staff_add_a_colleague_who_reads_from_then_on_and_rename_it_escaped(world):
    conversation_id = three_person(world)
    early = world.socket("anna").emit(
        "chat:send",
        {"conversation_id": conversation_id, "client_id": "early", "body": "Before the nurse"},
        callback=True,
    )["message"]["id"]
    pro, page = world.http("pro"), f"/conversations/{conversation_id}/people"
    assert post_form(pro, f"{page}/add", {"user_ids": world.ids["nurse"]}, form_page=page).status_code == 303
    nurse = world.socket("nurse")
    joined = nurse.emit("chat:join", {"conversation_id": conversation_id}, callback=True)
    assert joined["conversation"]["can_write"] is True, "a colleague has no request to answer"
    assert texts(joined["messages"]) == ["Pro added Nurse"], "reads from the moment they were added"
    assert world.http("nurse").get(f"/messages/{early}").status_code == 404, "nor through the message's address"
    assert world.http("anna").get(f"/messages/{early}").status_code == 303
    document = file_of(world, early)
    assert world.http("nurse").get(f"/files/{document}").status_code == 404, "nor a file sent before"
    served = world.http("anna").get(f"/files/{document}")
    assert served.status_code == 200 and served.data == b"%PDF-1.7 plan"
    renamed = post_form(pro, f"/conversations/{conversation_id}/rename", {"title": "<b>Plan</b> two"}, form_page=page)
    assert renamed.status_code == 303
    assert texts(events(nurse, "chat:message")) == ["Pro renamed the conversation “<b>Plan</b> two”"]
    html = pro.get(f"/conversations/{conversation_id}").get_data(as_text=True)
    assert "&lt;b&gt;Plan&lt;/b&gt; two" in html and "<b>Plan</b>" not in html
    assert {"chat.care_people_added", "chat.care_renamed"} <= set(audit_actions(world.app))
    bad = post_form(pro, f"/conversations/{conversation_id}/rename", {"title": "x"}, form_page=page)
    assert bad.status_code == 400 and "2 to 80 characters" in bad.get_data(as_text=True)


def test_anyone_leaves_by_themselves_and_the_others_see_it(world):
    conversation_id = three_person(world)
    pro = world.socket("pro")
    pro.emit("chat:join", {"conversation_id": conversation_id}, callback=True)
    pro.get_received()
    ben = world.http("ben")
    response = post_form(
        ben, f"/moderation/conversations/{conversation_id}/leave", {}, form_page=f"/conversations/{conversation_id}"
    )
    assert response.status_code == 303
    assert texts(events(pro, "chat:message")) == ["Ben left the conversation"]
    assert ben.get(f"/conversations/{conversation_id}").status_code == 404
    listing = world.http("anna").get("/conversations").get_data(as_text=True)
    assert "Anna and Ben&#39;s plan" in listing
    people = re.search(r"with <bdi>([^<]*)</bdi>", listing)
    assert people and people.group(1) == "Pro", "the list names the people in it now"


def test_leaving_the_group_leaves_its_care_conversations_and_the_others_see_it(world):
    conversation_id = three_person(world)
    pro = world.socket("pro")
    pro.emit("chat:join", {"conversation_id": conversation_id}, callback=True)
    pro.get_received()
    ben = world.http("ben")
    response = post_form(ben, f"/g/{world.slug}/leave", {}, form_page=f"/g/{world.slug}/leave")
    assert response.status_code in (302, 303)
    assert texts(events(pro, "chat:message")) == ["Ben left the conversation"]
    assert ben.get(f"/conversations/{conversation_id}").status_code == 404
    with world.app.app_context():
        left = db.session.scalar(
            select(ConversationParticipant.left_at).where(
                ConversationParticipant.conversation_id == conversation_id,
                ConversationParticipant.user_id == world.ids["ben"],
            )
        )
        assert left is not None


# --- outreach ------------------------------------------------------------------------------------------------


def test_a_member_sees_a_request_first_and_writes_only_after_accepting(world):
    conversation_id = started_id(start(world.http("pro"), world, "Checking in", "anna"))
    listing = world.http("anna").get("/conversations").get_data(as_text=True)
    assert "Checking in" in listing and "Request: accept or decline" in listing
    anna = world.socket("anna")
    joined = anna.emit("chat:join", {"conversation_id": conversation_id}, callback=True)
    assert joined["ok"] is True and joined["conversation"]["can_write"] is False
    assert joined["conversation"]["care"] is True and joined["conversation"]["request_pending"] is True
    ack = anna.emit("chat:send", {"conversation_id": conversation_id, "client_id": "r", "body": "hi"}, callback=True)
    assert ack["ok"] is False
    assert "Do you want to join" in world.http("anna").get(f"/conversations/{conversation_id}").get_data(as_text=True)
    assert answer(world.http("anna"), conversation_id, "accept").status_code == 303
    ack = anna.emit("chat:send", {"conversation_id": conversation_id, "client_id": "r2", "body": "hi"}, callback=True)
    assert ack["ok"] is True


def test_a_member_declines_or_declines_and_blocks_and_is_not_written_to_first_again(world):
    first = started_id(start(world.http("pro"), world, "Checking in", "anna", "ben"))
    assert answer(world.http("anna"), first, "decline").status_code == 303
    assert world.http("anna").get(f"/conversations/{first}").status_code == 404
    assert answer(world.http("ben"), first, "block").status_code == 303
    with world.app.app_context():
        assert db.session.scalar(
            select(MemberRelation.id).where(
                MemberRelation.user_id == world.ids["ben"], MemberRelation.other_id == world.ids["pro"]
            )
        )
    before = counts(world.app, first)
    again = start(world.http("pro"), world, "Once more", "ben")
    assert again.status_code == 403 and "cannot be reached" in again.get_data(as_text=True)
    path = f"/g/{world.slug}/conversations"
    two = post_form(world.http("pro"), f"{path}/new", {"user_id": world.ids["ben"]}, form_page=path)
    assert two.status_code == 403
    assert counts(world.app, first)[2] == before[2]
    started_id(start(world.http("nurse"), world, "From the nurse", "ben"))  # the block is of one person
    assert started_id(start(world.http("pro"), world, "Again", "anna")), "a decline is not a block"


def test_where_the_group_does_not_allow_outreach_staff_start_with_colleagues_only(world):
    with world.app.app_context():
        db.session.get(Group, world.group_id).outreach_allowed = False
        db.session.commit()
    refused = start(world.http("pro"), world, "Checking in", "anna")
    assert refused.status_code == 403 and "do not write to members first" in refused.get_data(as_text=True)
    path = f"/g/{world.slug}/conversations"
    assert (
        post_form(world.http("pro"), f"{path}/new", {"user_id": world.ids["anna"]}, form_page=path).status_code == 403
    )
    started_id(start(world.http("pro"), world, "Team", "nurse"))
    # A member still writes to the staff.
    assert (
        post_form(world.http("anna"), f"{path}/new", {"user_id": world.ids["mod"]}, form_page=path).status_code == 303
    )


def test_the_admin_switches_outreach_on_the_group_settings_page_audited(world):
    admin = world.http("admin")
    page = f"/admin/groups/{world.group_id}"
    assert 'name="outreach_allowed"' in admin.get(page).get_data(as_text=True)
    data = {"name": "Family", "description": "", "kind": "other", "premoderation": "none",
            "moderators_can_invite": "y", "slow_mode_seconds": "0"}  # fmt: skip
    assert post_form(admin, page, data).status_code == 302
    with world.app.app_context():
        assert db.session.get(Group, world.group_id).outreach_allowed is False
    assert "group.updated" in audit_actions(world.app)


# --- like two-person conversations ---------------------------------------------------------------------------


def test_unread_counts_catch_up_and_export_and_erasure(world):
    conversation_id = three_person(world)
    pro = world.socket("pro")
    ben = world.socket("ben")
    ack = pro.emit("chat:send", {"conversation_id": conversation_id, "client_id": "u1", "body": "News"}, callback=True)
    assert ack["ok"] is True
    assert events(ben, "chat:unread") == [{"conversation_id": conversation_id, "unread": 1}]
    caught = ben.emit("chat:catch_up", {"conversation_id": conversation_id, "after_seq": 0}, callback=True)
    assert texts(caught["messages"])[-1] == "News" and caught["messages"][0]["state"] == "system"
    with world.app.app_context():
        pro_user = db.session.get(User, world.ids["pro"])
        exported = member_data.export_part(pro_user)["messages.json"]
        assert [(m["text"], m["conversation"]) for m in exported] == [("News", "care conversation")]
        member_data.erase(db.session.get(User, world.ids["ben"]), mode="remove", keep=Evidence())
        db.session.commit()
        assert db.session.get(Conversation, conversation_id) is not None, "goes on without the one who left"
    still = world.socket("anna").emit("chat:join", {"conversation_id": conversation_id}, callback=True)
    assert "News" in texts(still["messages"])


def test_a_report_from_someone_in_it_lets_the_groups_moderator_read_it_and_a_system_line_is_not_reportable(world):
    conversation_id = three_person(world)
    pro = world.socket("pro")
    said = pro.emit(
        "chat:send", {"conversation_id": conversation_id, "client_id": "r1", "body": "Call me"}, callback=True
    )["message"]["id"]
    with world.app.app_context():
        line = db.session.scalar(
            select(Message.id).where(Message.conversation_id == conversation_id, Message.state == "system")
        )
    ben = world.http("ben")
    assert ben.get(f"/moderation/report/message/{line}").status_code == 404, "nobody reports 'Pro added Ben'"
    path = f"/moderation/report/message/{said}"
    assert post_form(ben, path, {"reason": "unkind", "note": ""}).status_code == 200
    mod = world.socket("mod")
    joined = mod.emit("chat:join", {"conversation_id": conversation_id}, callback=True)
    assert joined["ok"] is True and "Call me" in texts(joined["messages"])
    assert world.socket("otto").emit("chat:join", {"conversation_id": conversation_id}, callback=True)["code"] == (
        "not_found"
    )


def test_answering_a_members_own_request_is_not_outreach(world):
    with world.app.app_context():
        db.session.get(Group, world.group_id).outreach_allowed = False
        staff = db.session.get(User, world.ids["mod"])
        access = open_group(staff, world.slug)
        with pytest.raises(Forbidden):
            private.start_private_conversation(staff, access, world.ids["anna"])
        db.session.rollback()
        db.session.get(Group, world.group_id).outreach_allowed = False
        started = private.start_private_conversation(
            staff, open_group(staff, world.slug), world.ids["anna"], member_asked=True
        )
        assert started.created is True
