"""The authorization matrix: every route and every Socket.IO event, for every kind of person.

The expectations live in ``authorization_matrix.csv`` beside this file, one row per route (or event) and
method. The test builds a small world per row, sends the request as each kind of person, and compares what
happened with the row. It also reads the app's URL map and Socket.IO handlers, so a new route or event
without a row fails here: whoever adds one must decide, in the CSV, who may use it.

Outcomes:
  ok      the request reached the view and was handled (2xx, a redirect elsewhere than sign-in, a 400 form
          error, a 410 "no longer valid" page)
  login   redirected to sign in              404 / 403 / 405 / 429   that status
  refused a Socket.IO connection refused      error   a Socket.IO acknowledgement {"ok": false}

Kinds of person: anonymous; member of the group; member of another group; moderator of the group; moderator
of another group; professional of the group; group manager of the group; admin (in no group); suspended member
(membership suspended in the group); suspended account (signed in, then the account was suspended).

Run ``python -m tests.auth.test_authorization_matrix`` to print what the app does now as CSV: a draft to
review line by line, never to paste unread.
"""

from __future__ import annotations

import csv
import io
import json
import re
import sys
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from PIL import Image

from community.auth.sessions import start_session
from community.chat import message_files, sending
from community.chat import private as private_chat
from community.chat import services as chat
from community.core.sessions import LAST_SEEN_KEY, SESSION_TOKEN_KEY
from community.extensions import db, socketio
from community.forum import coach
from community.forum import post_files as forum_images
from community.forum import writing as forum
from community.groups import invitation_staff
from community.groups import services as groups
from community.groups.models import Membership
from community.notifications import services as notifications
from tests.attachments import pdfs
from tests.conftest import _fresh_schema, build_app
from tests.factories import add_to_group, make_group, make_user

MATRIX_FILE = Path(__file__).with_name("authorization_matrix.csv")
ROLES = (
    "anonymous", "member", "other_member", "moderator", "other_moderator", "professional", "manager", "admin",
    "suspended_member", "suspended_account",
)  # fmt: skip
SOCKET_METHOD = "EVENT"


@dataclass(frozen=True)
class Row:
    endpoint: str
    method: str
    path: str
    payload: dict
    expected: dict[str, str]


def read_matrix() -> list[Row]:
    lines = [line for line in MATRIX_FILE.read_text().splitlines() if line.strip() and not line.startswith("#")]
    rows = []
    for record in csv.DictReader(lines):
        payload = json.loads(record["payload"]) if record["payload"] else {}
        expected = {role: record[role].strip() for role in ROLES}
        rows.append(Row(record["endpoint"], record["method"], record["path"], payload, expected))
    return rows


def app_routes(app: Flask) -> set[tuple[str, str]]:
    routes = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        routes |= {(rule.endpoint, method) for method in rule.methods - {"HEAD", "OPTIONS"}}
    events = {(f"socket:{name}", SOCKET_METHOD) for name in socketio.server.handlers.get("/", {})}
    return routes | events


def _small_png() -> io.BytesIO:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (0, 128, 0)).save(out, "PNG")
    out.seek(0)
    return out


def build_world(app: Flask) -> dict[str, object]:
    """Two groups, one person of each kind, a topic and an open invitation in the first group."""
    with app.app_context():
        admin = make_user("admin1", admin=True, display_name="Admin One")
        group, other = make_group(admin, "Group A"), make_group(admin, "Group B")
        people = {"admin": admin}
        for role, username, target, membership_role in (
            ("member", "mia", group, "member"),
            ("other_member", "otto", other, "member"),
            ("moderator", "mona", group, "moderator"),
            ("other_moderator", "oscar", other, "moderator"),
            ("professional", "pia", group, "professional"),
            ("manager", "manu", group, "manager"),
            ("suspended_member", "susan", group, "member"),
            ("suspended_account", "sacha", group, "member"),
        ):
            people[role] = make_user(username)
            add_to_group(admin, target, people[role], role=membership_role)
        db.session.query(Membership).filter_by(user_id=people["suspended_member"].id).update({"state": "suspended"})
        access = groups.open_group(people["member"], group.slug)
        opened = forum.create_topic(people["member"], access, title="A topic", body="Hello")
        topic = opened.topic
        # An image and a PDF document in the opening post (forum.post_image, attachments.download).
        [image, document] = forum_images.attach_files(
            people["member"], access, opened.post, [_small_png()], ["A square"], io.BytesIO(pdfs.leaflet()), "Map"
        )
        invitation = invitation_staff.create_code_invitation(admin, group, role="member")
        announcement = coach.create_announcement(
            people["moderator"], groups.open_group(people["moderator"], group.slug), title="Notice", body="Hello"
        )
        [notification] = notifications.notify(
            [people["member"].id], kind="mention", actor_id=people["moderator"].id, group_id=group.id,
            target_type="post", target_id=opened.post.id,
        )  # fmt: skip
        # A private conversation between the member and the group's moderator (chat pages and events).
        conversation = private_chat.start_private_conversation(people["member"], access, people["moderator"].id)
        in_private = chat.open_conversation(people["member"], conversation.conversation.id)
        plan = message_files.prepare([], [], io.BytesIO(pdfs.leaflet()), "Care plan")  # attachments.download
        private_message = sending.send(in_private, client_id="matrix-private", body="Only for you", files=plan).message
        # The group's chat room and a message of the member in it (chat events).
        room = chat.group_room_conversation(group.id)
        in_room = chat.open_conversation(people["member"], room.id)
        leaflet = message_files.prepare([], [], io.BytesIO(pdfs.leaflet()), "Leaflet")
        message = sending.send(in_room, client_id="matrix-world", body="Hi", files=leaflet).message
        # Professionals: profiles, an open request and a question (tests/professionals/matrix_world.py).
        from tests.professionals.matrix_world import add_professionals

        professionals = add_professionals(people, group)
        from tests.moderation.safeguarding_world import add_matrix_case  # a safeguarding case

        case_id = add_matrix_case(people, message.id)
        from tests.moderation.test_queue_world import add_matrix_items  # a queue item, a decision

        moderation_values = add_matrix_items(people, group, opened.post.id)
        from tests.moderation.test_pipeline_world import add_matrix_filters  # keyword filters

        moderation_values |= add_matrix_filters(people, group)
        from tests.moderation.leads_world import add_matrix_leads  # safeguarding leads and their rota

        moderation_values |= add_matrix_leads(people, group)
        from tests.events.matrix_world import add_matrix_event  # an event in the group

        moderation_values |= add_matrix_event(people, group)
        db.session.commit()
        tokens = {}
        for role, user in people.items():
            tokens[role] = start_session(user, "matrix")
        db.session.commit()
        people["suspended_account"].state = "suspended"
        db.session.commit()
        return {
            "tokens": tokens,
            "values": {
                "group": group.slug, "other_group": other.slug, "group_id": group.id, "topic": topic.id,
                "member_id": people["member"].id, "invitation_id": invitation.invitation.id,
                "invite_token": invitation.code, "post": opened.post.id, "image": image.id, "document": document.id,
                "announcement": announcement.id, "notification": notification.id,
                "conversation": conversation.conversation.id, "room": room.id, "message": message.id,
                "private_message": private_message.id,
                "private_file": private_message.attachments[0].id, "room_file": message.attachments[0].id,
                "moderator_id": people["moderator"].id,
                "case": case_id,
                **moderation_values,
                **professionals,
            },
        }  # fmt: skip


def client_for(app: Flask, world: dict, role: str):
    client = app.test_client()
    if role != "anonymous":
        import time

        with client.session_transaction() as session:
            session[SESSION_TOKEN_KEY] = world["tokens"][role]
            session[LAST_SEEN_KEY] = int(time.time())
    return client


def outcome_of_request(client, method: str, path: str, payload: dict) -> str:
    response = client.open(path, method=method, data=payload)
    status = response.status_code
    if status in (301, 302, 303, 307, 308):
        return "login" if response.headers.get("Location", "").startswith("/login") else "ok"
    if status in (200, 201, 204, 400, 410):
        return "ok"
    return str(status)


def outcome_of_event(app: Flask, client, event: str, payload: dict) -> str:
    socket = socketio.test_client(app, flask_test_client=client)
    if not socket.is_connected():
        return "refused"
    if event == "connect":
        socket.disconnect()
        return "ok"
    ack = socket.emit(event, payload, callback=True)
    socket.disconnect()
    return "ok" if isinstance(ack, dict) and ack.get("ok") else "error"


def _payload_value(value: object, values: dict) -> object:
    """A whole "{name}" becomes the value itself (socket events take real integers); other strings are
    formatted; numbers, booleans and null stay as they are."""
    if isinstance(value, str):
        match = re.fullmatch(r"\{(\w+)\}", value)
        return values[match.group(1)] if match else value.format(**values)
    return value


def run_row(row: Row) -> dict[str, str]:
    with contextmanager(_fresh_schema)(build_app(WTF_CSRF_ENABLED=False, RATELIMIT_ENABLED=False)) as app:
        world = build_world(app)
        values = world["values"]
        path = row.path.format(**values)
        payload = {key: _payload_value(value, values) for key, value in row.payload.items()}
        outcomes = {}
        for role in ROLES:
            client = client_for(app, world, role)
            if row.method == SOCKET_METHOD:
                outcomes[role] = outcome_of_event(app, client, row.endpoint.removeprefix("socket:"), payload)
            else:
                outcomes[role] = outcome_of_request(client, row.method, path, payload)
        return outcomes


MATRIX = read_matrix()


def test_every_route_and_event_has_a_row_and_every_row_a_route():
    app = build_app()
    listed = {(row.endpoint, row.method) for row in MATRIX}
    missing = sorted(app_routes(app) - listed)
    stale = sorted(listed - app_routes(app))
    assert missing == [], f"add these to {MATRIX_FILE.name}, deciding who may use them: {missing}"
    assert stale == [], f"these rows name no route or event any more: {stale}"


@pytest.mark.parametrize("row", MATRIX, ids=[f"{row.method} {row.endpoint}" for row in MATRIX])
def test_who_may_use_it(row: Row):
    outcomes = run_row(row)
    wrong = {
        role: f"expected {row.expected[role]}, got {outcomes[role]}"
        for role in ROLES
        if outcomes[role] != row.expected[role]
    }
    assert wrong == {}


DRAFT_PLACEHOLDERS = {"slug": "{group}", "user_id": "{member_id}", "topic_id": "{topic}", "post_id": "{post}",
                      "token": "not-a-token"}  # fmt: skip


def _draft_placeholder(match: re.Match) -> str:
    spec = match.group(1)
    name = spec.split(":")[-1]
    if spec.startswith("any("):
        return spec[4 : spec.index(")")].split(",")[0].strip()
    return DRAFT_PLACEHOLDERS.get(name, "{" + name + "}" if name in ("group_id", "invitation_id") else "999999")


def _draft() -> None:
    """Print the current behaviour as CSV rows (for review), keeping existing paths and payloads."""
    known = {(row.endpoint, row.method): row for row in MATRIX}
    app = build_app()
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(["endpoint", "method", "path", "payload", *ROLES])
    rules = {rule.endpoint: rule.rule for rule in app.url_map.iter_rules()}
    for endpoint, method in sorted(app_routes(app)):
        row = known.get((endpoint, method))
        if row is None:
            path = re.sub(r"<([^>]+)>", _draft_placeholder, rules.get(endpoint, endpoint.removeprefix("socket:")))
            row = Row(endpoint, method, path, {}, {})
        outcomes = run_row(row)
        writer.writerow(
            [endpoint, method, row.path, json.dumps(row.payload) if row.payload else "", *(outcomes[r] for r in ROLES)]
        )


if __name__ == "__main__":
    _draft()
