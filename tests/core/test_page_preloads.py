"""Values every page shows come with the session lookup (``core.page_preloads``): one statement, same answers.

The unread-notifications badge, the chat badge (tests/chat/test_unread_and_presence.py compares it with its
own query) and the muted writers are read as subqueries of the statement that finds the
signed-in member. These tests pin down that a page runs no statement of its own for them, that the values are
the ones the separate queries give, and that a change made earlier in the same request is never hidden by a
preloaded value. On SQLite and PostgreSQL (``aggregate_strings`` is ``group_concat`` and ``string_agg``).
"""

from __future__ import annotations

import re

from flask import Flask
from sqlalchemy import select

from community.auth import sessions as auth_sessions
from community.auth.models import User
from community.core import page_preloads
from community.extensions import db
from community.moderation import safety
from community.notifications import services as notifications
from tests.factories import add_to_group, make_group, make_user, post_form, sign_in
from tests.forum.test_query_bounds import statements_for


def _people(app: Flask) -> dict[str, int]:
    with app.app_context():
        admin = make_user("boss", admin=True)
        group = make_group(admin, "Parents")
        reader, writer, quiet = make_user("reader"), make_user("writer"), make_user("quiet")
        for person in (reader, writer, quiet):
            add_to_group(admin, group, person)
        db.session.commit()
        return {"reader": reader.id, "writer": writer.id, "quiet": quiet.id, "group": group.id}


def _notify(app: Flask, recipient: int, actor: int, group: int) -> None:
    with app.app_context():
        notifications.notify(
            [recipient], kind="mention", actor_id=actor, group_id=group, target_type="group", target_id=group
        )
        db.session.commit()


def _session_token(app: Flask, user_id: int) -> str:
    with app.app_context():
        token = auth_sessions.start_session(db.session.get(User, user_id))
        db.session.commit()
    return token


def _badge(html: str) -> str | None:
    match = re.search(r"<span data-notification-count( hidden)?> \((\d+)\)</span>", html)
    assert match, "no notification badge on the page"
    return None if match[1] else match[2]


def test_a_page_reads_the_badge_and_the_muted_writers_with_the_session_lookup(db_app: Flask) -> None:
    ids = _people(db_app)
    _notify(db_app, ids["reader"], ids["writer"], ids["group"])
    with db_app.app_context():
        reader = db.session.get(User, ids["reader"])
        safety.set_relation(reader, ids["writer"], "mute", on=True)
        db.session.commit()
    client = db_app.test_client()
    sign_in(client, "reader")

    statements = [sql.lower() for sql in statements_for(db_app, client, "/account/content-warnings")]

    touching = [sql for sql in statements if "from notifications" in sql or "member_relations" in sql]
    assert len(touching) == 1 and "user_sessions" in touching[0], "\n\n".join(statements)
    chat_counts = [sql for sql in statements if "from messages" in sql]
    assert len(chat_counts) == 1 and "user_sessions" in chat_counts[0], "the chat badge is read with the session"
    assert _badge(client.get("/account/content-warnings").get_data(as_text=True)) == "1"


def test_the_preloaded_values_are_the_ones_the_separate_queries_give(db_app: Flask) -> None:
    ids = _people(db_app)
    for _ in range(3):
        _notify(db_app, ids["reader"], ids["writer"], ids["group"])
    with db_app.app_context():
        reader = db.session.get(User, ids["reader"])
        for other, kind in ((ids["writer"], "mute"), (ids["quiet"], "block"), (ids["writer"], "block")):
            safety.set_relation(reader, other, kind, on=True)
        token = auth_sessions.start_session(reader)
        db.session.commit()
    with db_app.test_request_context("/"):
        user = auth_sessions.user_for_token(token, with_memberships=True)
        assert page_preloads.get(user, notifications.UNREAD_PRELOAD) == 3 == notifications.unread_count(user.id)
        assert page_preloads.get(user, safety.MUTED_PRELOAD) == {ids["writer"], ids["quiet"]}
        page_preloads.forget(user, safety.MUTED_PRELOAD)
        assert safety.muted_author_ids(user) == {ids["writer"], ids["quiet"]}  # the query, same answer


def test_nothing_is_preloaded_for_a_member_with_no_notifications_and_no_mutes(db_app: Flask) -> None:
    ids = _people(db_app)
    token = _session_token(db_app, ids["quiet"])
    with db_app.test_request_context("/"):
        user = auth_sessions.user_for_token(token, with_memberships=True)
        assert page_preloads.get(user, notifications.UNREAD_PRELOAD) == 0
        assert page_preloads.get(user, safety.MUTED_PRELOAD) == frozenset()
        other = db.session.scalar(select(User).where(User.username == "reader"))
        assert page_preloads.get(other, safety.MUTED_PRELOAD) is page_preloads.MISSING  # only for this member


def test_a_socket_event_lookup_preloads_nothing(db_app: Flask) -> None:
    ids = _people(db_app)
    token = _session_token(db_app, ids["reader"])
    with db_app.test_request_context("/"):
        user = auth_sessions.user_for_token(token, with_memberships=False)
        assert page_preloads.get(user, notifications.UNREAD_PRELOAD) is page_preloads.MISSING


def test_a_change_earlier_in_the_request_is_never_hidden_by_a_preloaded_value(db_app: Flask) -> None:
    ids = _people(db_app)
    _notify(db_app, ids["reader"], ids["writer"], ids["group"])
    token = _session_token(db_app, ids["reader"])
    with db_app.test_request_context("/"):
        user = auth_sessions.user_for_token(token, with_memberships=True)
        assert safety.muted_author_ids(user) == set()
        safety.set_relation(user, ids["writer"], "mute", on=True)
        assert safety.muted_author_ids(user) == {ids["writer"]}
        safety.set_relation(user, ids["writer"], "mute", on=False)
        assert safety.muted_author_ids(user) == set()

        assert page_preloads.get(user, notifications.UNREAD_PRELOAD) == 1
        notifications.mark_all_read(user)
        assert page_preloads.get(user, notifications.UNREAD_PRELOAD) is page_preloads.MISSING
        assert notifications.unread_count(user.id) == 0


def test_marking_read_updates_the_badge_on_the_next_page(db_app: Flask) -> None:
    ids = _people(db_app)
    _notify(db_app, ids["reader"], ids["writer"], ids["group"])
    client = db_app.test_client()
    sign_in(client, "reader")
    assert _badge(client.get("/notifications").get_data(as_text=True)) == "1"
    post_form(client, "/notifications/read-all", {}, form_page="/notifications")
    assert _badge(client.get("/notifications").get_data(as_text=True)) is None
