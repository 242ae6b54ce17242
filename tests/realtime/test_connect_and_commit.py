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
