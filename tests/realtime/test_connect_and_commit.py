"""Socket.IO: anonymous clients are refused; events are sent only after the transaction commits."""

from __future__ import annotations

from community.core.realtime import queue_event, user_room
from community.extensions import db, socketio
from tests.factories import make_user, post_form, sign_in


def test_an_anonymous_socket_is_refused(app, client):
    socket = socketio.test_client(app, flask_test_client=client)
    assert not socket.is_connected()


def test_a_signed_in_member_connects_with_their_http_session(app, client):
    with app.app_context():
        make_user("sam")
    sign_in(client, "sam")
    socket = socketio.test_client(app, flask_test_client=client)
    assert socket.is_connected()
    socket.disconnect()


def test_a_socket_is_refused_after_sign_out(app, client):
    with app.app_context():
        make_user("sam")
    sign_in(client, "sam")
    stolen = client.get_cookie("kring_session").value
    post_form(client, "/logout", {}, form_page="/")
    thief = app.test_client()
    thief.set_cookie("kring_session", stolen)
    assert not socketio.test_client(app, flask_test_client=thief).is_connected()


def test_events_are_sent_after_commit_and_dropped_on_rollback(app, client):
    with app.app_context():
        sam_id = make_user("sam").id
    sign_in(client, "sam")
    socket = socketio.test_client(app, flask_test_client=client)

    with app.app_context():
        queue_event("test:event", {"n": 1}, room=user_room(sam_id))
        assert socket.get_received() == [], "nothing is sent before the commit"
        db.session.rollback()
        queue_event("test:event", {"n": 2}, room=user_room(sam_id))
        db.session.commit()

    received = [(event["name"], event["args"][0]) for event in socket.get_received()]
    assert received == [("test:event", {"n": 2})], "the rolled-back event is never sent"


def test_an_event_queued_in_a_rolled_back_savepoint_is_never_sent_and_the_others_keep_their_order(app, client):
    with app.app_context():
        sam_id = make_user("sam").id
    sign_in(client, "sam")
    socket = socketio.test_client(app, flask_test_client=client)

    with app.app_context():
        queue_event("test:event", {"n": 1}, room=user_room(sam_id))
        savepoint = db.session.begin_nested()
        queue_event("test:event", {"n": 2}, room=user_room(sam_id))
        savepoint.rollback()
        with db.session.begin_nested():
            queue_event("test:event", {"n": 3}, room=user_room(sam_id))
        queue_event("test:event", {"n": 4}, room=user_room(sam_id))
        assert socket.get_received() == [], "releasing a savepoint is not the commit"
        db.session.commit()

    received = [event["args"][0]["n"] for event in socket.get_received()]
    assert received == [1, 3, 4]


def test_staff_who_must_set_up_two_step_sign_in_get_no_socket():
    from community.extensions import db as database
    from tests.conftest import build_app

    app = build_app(STAFF_TWO_FACTOR_REQUIRED=True)
    with app.app_context():
        database.create_all()
        make_user("boss", admin=True)
        make_user("sam")
    staff, member = app.test_client(), app.test_client()
    sign_in(staff, "boss")
    sign_in(member, "sam")
    assert not socketio.test_client(app, flask_test_client=staff).is_connected()
    assert socketio.test_client(app, flask_test_client=member).is_connected()


def test_a_socket_handshake_with_an_idle_cookie_is_refused(app, client):
    with app.app_context():
        make_user("sam")
    sign_in(client, "sam")
    with client.session_transaction() as session:
        session["kring_seen"] -= app.config["SESSION_IDLE_SECONDS"] + 1
    assert not socketio.test_client(app, flask_test_client=client).is_connected()


def test_later_events_on_an_open_socket_are_not_judged_idle_by_the_handshake_cookie(app, client, monkeypatch):
    """An open chat is activity: hours later its events still carry the handshake's cookie."""
    import time

    from flask_login import current_user

    from community.core import sessions as core_sessions

    @socketio.on("whoami", namespace="/probe")
    def whoami():
        return {"signed_in": current_user.is_authenticated}

    with app.app_context():
        make_user("sam")
    sign_in(client, "sam")
    socket = socketio.test_client(app, namespace="/probe", flask_test_client=client)
    later = time.time() + app.config["SESSION_IDLE_SECONDS"] + 60
    monkeypatch.setattr(core_sessions.time, "time", lambda: later)
    assert socket.emit("whoami", callback=True, namespace="/probe") == {"signed_in": True}
    with app.app_context():
        from sqlalchemy import select

        from community.auth.models import UserSession

        assert db.session.scalar(select(UserSession.ended_at)) is None, "the session was not ended behind their back"
