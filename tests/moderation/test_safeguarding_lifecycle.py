"""A safeguarding case's life: raised by a member on a post or a chat message, taken, handed over with notes,
refused a close without an outcome, closed; its clock and overdue marking; the email escalation; who may see
it (404 for everyone else); and the audit row of every change. On SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from community.core.time import utcnow
from community.extensions import db
from community.forum.models import Post
from community.moderation.safeguarding import escalation, services
from community.moderation.safeguarding.models import SafeguardingCase, SafeguardingNote
from tests.chat.helpers import events, send
from tests.factories import csrf_token, post_form
from tests.moderation.safeguarding_world import audit_rows, cases, safeguarding_world, topic_form


@pytest.fixture
def world(db_app):
    world = safeguarding_world(db_app)
    yield world
    world.close()


def _sam_post(world) -> int:
    response = topic_form(world.http("sam"), world.slug, "Rough day at school, but I'm managing.", title="School")
    assert response.status_code == 200
    with world.app.app_context():
        return db.session.scalar(select(Post.id).where(Post.author_id == world.ids["sam"]).order_by(Post.id.desc()))


def _worry(client, world, post_id: int, **data):
    path = f"/g/{world.slug}/posts/{post_id}/worried"
    return post_form(client, path, {"note": "", **data})


def _case_action(client, case_id: int, action: str, data: dict | None = None):
    page = f"/moderation/safeguarding/{case_id}"
    return client.post(f"{page}/{action}", data={**(data or {}), "csrf_token": csrf_token(client, page)})


def _set(app, case_id: int, **values) -> None:
    with app.app_context():
        db.session.execute(update(SafeguardingCase).where(SafeguardingCase.id == case_id).values(**values))
        db.session.commit()


# --- raising a worry ---------------------------------------------------------------------------------------------


def test_a_member_raises_a_worry_on_a_post_moderators_are_alerted_and_the_member_sees_the_helplines(world):
    post_id = _sam_post(world)
    moderator = world.socket("youthworker")
    noor = world.http("noor")
    topic_page = noor.get(f"/g/{world.slug}/t/{_topic_of(world, post_id)}").get_data(as_text=True)
    assert f"/g/{world.slug}/posts/{post_id}/worried" in topic_page, "the post menu offers it"

    form = noor.get(f"/g/{world.slug}/posts/{post_id}/worried").get_data(as_text=True)
    assert "I'm worried about Sam" in form and "0800-0432" in form

    response = _worry(noor, world, post_id, note="Sam said goodbye to everyone in the chat.", danger_now="y")
    assert response.status_code == 303 and response.headers["Location"].startswith("/help")
    page = noor.get(response.headers["Location"]).get_data(as_text=True)
    assert "Thank you for telling us" in page and "Veilig Thuis" in page and "0800-2000" in page

    [case] = cases(world.app)
    assert (case.source, case.severity, case.status) == ("member", "acute", "open")
    assert case.subject_id == world.ids["sam"] and case.raised_by_id == world.ids["noor"]
    assert case.raised_note == "Sam said goodbye to everyone in the chat."
    [alert] = events(moderator, "moderation:alert")
    assert alert["case_id"] == case.id and alert["severity"] == "acute" and alert["source"] == "member"
    [row] = audit_rows(world.app)
    assert row.action == "safeguarding.case_opened" and row.actor_id == world.ids["noor"]
    assert "goodbye" not in str(row.details) and row.details["source"] == "member"


def _topic_of(world, post_id: int) -> int:
    with world.app.app_context():
        return db.session.get(Post, post_id).topic_id


def test_a_second_worry_about_the_same_post_joins_the_open_case_as_a_note(world):
    post_id = _sam_post(world)
    assert _worry(world.http("noor"), world, post_id).status_code == 303
    assert _worry(world.http("youthworker"), world, post_id, note="I saw it too.").status_code == 303
    [case] = cases(world.app)
    assert case.source == "member"
    with world.app.app_context():
        notes = db.session.scalars(select(SafeguardingNote.body).where(SafeguardingNote.case_id == case.id)).all()
    assert notes == ["I saw it too."]
    assert [r.action for r in audit_rows(world.app)] == ["safeguarding.case_opened", "safeguarding.concern_added"]


def test_a_moderator_raising_a_worry_opens_a_staff_case(world):
    post_id = _sam_post(world)
    assert _worry(world.http("youthworker"), world, post_id).status_code == 303
    [case] = cases(world.app)
    assert case.source == "staff" and case.severity == "concern"


def test_raising_a_worry_is_refused_without_storing_anything_when_it_cannot_apply(world):
    post_id = _sam_post(world)
    # Someone from another group: the post does not exist for them.
    otto = world.http("otto")
    assert otto.get(f"/g/{world.slug}/posts/{post_id}/worried").status_code == 404
    # One's own post: the page offers the helplines instead of a form, and a POST changes nothing.
    sam = world.http("sam")
    own = sam.get(f"/g/{world.slug}/posts/{post_id}/worried").get_data(as_text=True)
    assert "This is your own post" in own and "Tell the moderators" not in own
    token = csrf_token(sam, "/help")
    response = sam.post(f"/g/{world.slug}/posts/{post_id}/worried", data={"note": "", "csrf_token": token})
    assert response.status_code == 400
    # A note that is too long, and a post that does not exist.
    noor = world.http("noor")
    assert _worry(noor, world, post_id, note="x" * 4001).status_code == 400
    assert noor.get(f"/g/{world.slug}/posts/999999/worried").status_code == 404
    assert cases(world.app) == [] and audit_rows(world.app) == []


def test_a_worry_on_a_chat_message_over_the_socket(world):
    moderator = world.socket("youthworker")
    sam, noor, otto = world.socket("sam"), world.socket("noor"), world.socket("otto")
    sam.emit("chat:join", {"conversation_id": world.room_id}, callback=True)
    message_id = send(sam, world, "whatever, nothing matters", "m-1")["message"]["id"]

    assert otto.emit("safeguarding:raise", {"message_id": message_id}, callback=True)["ok"] is False
    assert noor.emit("safeguarding:raise", {"message_id": "1"}, callback=True)["ok"] is False
    assert noor.emit("safeguarding:raise", ["nope"], callback=True)["ok"] is False
    assert sam.emit("safeguarding:raise", {"message_id": message_id}, callback=True)["ok"] is False
    assert cases(world.app) == []

    ack = noor.emit("safeguarding:raise", {"message_id": message_id, "note": "worried", "danger_now": False},
                    callback=True)  # fmt: skip
    assert ack["ok"] is True and "Thank you for telling us" in ack["message"]
    assert any("113" in notice for notice in ack["notices"]) and ack["help"]["url"] == "/help"
    [case] = cases(world.app)
    assert case.target_type == "message" and case.target_id == message_id and case.subject_id == world.ids["sam"]
    assert [a["case_id"] for a in events(moderator, "moderation:alert")] == [case.id]


def test_a_worry_on_a_chat_message_without_javascript(world):
    sam = world.socket("sam")
    sam.emit("chat:join", {"conversation_id": world.room_id}, callback=True)
    message_id = send(sam, world, "just tired", "m-2")["message"]["id"]
    noor = world.http("noor")
    path = f"/messages/{message_id}/worried"
    assert noor.get(path).status_code == 200
    assert world.http("otto").get(path).status_code == 404
    assert post_form(noor, path, {"note": ""}).status_code == 303
    assert len(cases(world.app)) == 1


# --- the case lifecycle ---------------------------------------------------------------------------------------


def test_take_hand_over_note_refused_close_and_close(world):
    post_id = _sam_post(world)
    _worry(world.http("noor"), world, post_id)
    [case] = cases(world.app)
    mod = world.http("youthworker")
    page = mod.get(f"/moderation/safeguarding/{case.id}").get_data(as_text=True)
    assert "Rough day at school" in page, "the case shows the post"
    assert "To be taken within" in page and "Take this case" in page

    assert _case_action(mod, case.id, "take").status_code == 303
    taken = cases(world.app)[0]
    assert taken.status == "in_progress" and taken.taken_by_id == world.ids["youthworker"] and taken.taken_at

    assert _case_action(mod, case.id, "notes", {"body": ""}).status_code == 400
    assert _case_action(mod, case.id, "notes", {"body": "Called Sam's mentor; call back at 9."}).status_code == 303
    assert "Called Sam&#39;s mentor" in mod.get(f"/moderation/safeguarding/{case.id}").get_data(as_text=True)

    # No outcome, an unknown outcome, and a report to Veilig Thuis without saying what was done: refused.
    response = _case_action(mod, case.id, "close", {"outcome": "", "outcome_note": ""})
    assert response.status_code == 400 and "Choose the outcome" in response.get_data(as_text=True)
    assert _case_action(mod, case.id, "close", {"outcome": "shrug"}).status_code == 400
    response = _case_action(mod, case.id, "close", {"outcome": "reported_veilig_thuis", "outcome_note": " "})
    assert response.status_code == 400 and "what was done" in response.get_data(as_text=True)
    assert cases(world.app)[0].status == "in_progress", "nothing changed"

    response = _case_action(
        mod, case.id, "close", {"outcome": "reported_veilig_thuis", "outcome_note": "Reported under the meldcode."}
    )
    assert response.status_code == 303
    closed = cases(world.app)[0]
    assert (closed.status, closed.outcome, closed.closed_by_id) == (
        "closed", "reported_veilig_thuis", world.ids["youthworker"],
    )  # fmt: skip
    assert _case_action(mod, case.id, "close", {"outcome": "no_action_needed"}).status_code == 400

    rows = audit_rows(world.app)
    assert [r.action for r in rows] == [
        "safeguarding.case_opened", "safeguarding.case_taken", "safeguarding.note_added", "safeguarding.case_closed",
    ]  # fmt: skip
    assert all(r.target_id == case.id and r.group_id == world.group_id for r in rows)
    assert rows[1].actor_id == rows[2].actor_id == rows[3].actor_id == world.ids["youthworker"]
    assert rows[3].reason == "reported_veilig_thuis" and "meldcode" not in str(rows[3].details)


def test_the_next_shift_takes_over_a_case(world):
    post_id = _sam_post(world)
    _worry(world.http("noor"), world, post_id)
    [case] = cases(world.app)
    with world.app.app_context():
        from community.auth.models import User
        from community.groups.models import Group
        from tests.factories import add_to_group, make_user

        admin, group = db.session.get(User, world.ids["admin"]), db.session.get(Group, world.group_id)
        night = make_user("nightshift")
        add_to_group(admin, group, night, role="moderator")
    _case_action(world.http("youthworker"), case.id, "take")
    first_taken_at = cases(world.app)[0].taken_at
    assert _case_action(world.http("nightshift"), case.id, "take").status_code == 303
    now = cases(world.app)[0]
    assert now.taken_by.username == "nightshift" and now.taken_at == first_taken_at
    assert audit_rows(world.app)[-1].details == {"previous_moderator_id": world.ids["youthworker"]}


def test_the_case_list_orders_urgent_first_and_marks_overdue_cases_in_words(world):
    first, second = _sam_post(world), _sam_post(world)
    noor = world.http("noor")
    _worry(noor, world, first)
    _worry(noor, world, second, danger_now="y")
    concern, acute = cases(world.app)
    _set(world.app, concern.id, due_at=utcnow() - timedelta(minutes=30))
    page = world.http("youthworker").get("/moderation/safeguarding").get_data(as_text=True)
    assert page.index(f"Case {acute.id} about") < page.index(f"Case {concern.id} about"), "urgent first"
    assert "Overdue by 30 minutes" in page or "Overdue by 29 minutes" in page
    assert "To be taken within" in page
    with world.app.app_context():
        overdue = db.session.get(SafeguardingCase, concern.id)
        clock = services.clock(overdue)
        assert clock.overdue and clock.minutes >= 29
        overdue.taken_at = utcnow()
        assert not services.clock(overdue).overdue, "a taken case has answered its clock"


# --- escalation ----------------------------------------------------------------------------------------------


def test_an_untaken_case_is_escalated_by_email_once_without_member_text(world):
    post_id = _sam_post(world)
    _worry(world.http("noor"), world, post_id, note="Sam wrote about pills.")
    [case] = cases(world.app)
    with world.app.app_context():
        from community.auth.models import User

        db.session.execute(update(User).where(User.id == world.ids["youthworker"]).values(email="yw@example.org"))
        db.session.commit()
    runner = world.app.test_cli_runner()
    outbox = world.app.extensions.setdefault("kring_outbox", [])
    assert "Escalated 0 case(s)." in runner.invoke(args=["safeguarding", "escalate"]).output, "not yet due"
    _set(world.app, case.id, opened_at=utcnow() - timedelta(minutes=16))
    assert "Escalated 1 case(s)." in runner.invoke(args=["safeguarding", "escalate"]).output
    assert "Escalated 0 case(s)." in runner.invoke(args=["safeguarding", "escalate"]).output, "idempotent"
    [mail] = outbox
    assert mail["To"] == "yw@example.org" and mail["Subject"] == "An urgent item in Kring needs a moderator"
    body = mail.get_content()
    assert f"/moderation/safeguarding/{case.id}" in body
    assert "pills" not in body and "Sam" not in body and "Young people" not in body
    assert cases(world.app)[0].escalated_at is not None
    assert audit_rows(world.app)[-1].action == "safeguarding.case_escalated"


def test_a_taken_case_is_not_escalated(world):
    post_id = _sam_post(world)
    _worry(world.http("noor"), world, post_id)
    [case] = cases(world.app)
    _case_action(world.http("youthworker"), case.id, "take")
    _set(world.app, case.id, opened_at=utcnow() - timedelta(hours=2))
    with world.app.app_context():
        assert escalation.escalate() == 0


# --- who may see a case -------------------------------------------------------------------------------------


def test_only_the_groups_moderators_and_admins_see_a_case(world):
    post_id = _sam_post(world)
    _worry(world.http("noor"), world, post_id)
    [case] = cases(world.app)
    path = f"/moderation/safeguarding/{case.id}"
    for username in ("sam", "noor", "otto"):
        client = world.http(username)
        assert client.get(path).status_code == 404, username
        assert client.get("/moderation/safeguarding").status_code == 404, "members have no case list"
    other_moderator = world.http("elsewhere_mod")
    assert other_moderator.get(path).status_code == 404
    assert f"Case {case.id} about" not in other_moderator.get("/moderation/safeguarding").get_data(as_text=True)
    assert world.http("youthworker").get(path).status_code == 200
    assert world.http("admin").get(path).status_code == 200
    viewed = audit_rows(world.app)[-1]
    assert viewed.action == "safeguarding.case_viewed" and viewed.actor_id == world.ids["admin"]
    # Someone who may not see it cannot act on it either, and nothing changes.
    otto = world.http("elsewhere_mod")
    token = csrf_token(otto, "/help")
    assert otto.post(f"{path}/take", data={"csrf_token": token}).status_code == 404
    assert otto.post(f"{path}/close", data={"csrf_token": token, "outcome": "no_action_needed"}).status_code == 404
    assert cases(world.app)[0].status == "open"


def test_an_anonymous_visitor_is_sent_to_sign_in(world):
    client = world.app.test_client()
    for path in ("/help", "/moderation/safeguarding", "/moderation/safeguarding/1"):
        response = client.get(path)
        assert response.status_code == 302 and "/login" in response.headers["Location"]
