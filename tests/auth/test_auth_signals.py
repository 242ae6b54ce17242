"""auth sends signals (community/auth/signals.py) so that higher features react without auth importing them:
the profile screening, hiding a profile from someone blocked, and presence on connect and disconnect."""

from __future__ import annotations

from contextlib import contextmanager

from flask import Flask

from community.auth import signals
from community.core.errors import DomainError, NotFound
from community.extensions import db, socketio
from tests.factories import add_to_group, make_group, make_user, post_form, sign_in


@contextmanager
def _received(signal):
    calls: list[tuple[object, dict]] = []

    def receiver(sender, **kwargs):
        # Read now: a sender may be a proxy of the request (current_user), gone after it.
        calls.append((getattr(sender, "username", sender), kwargs))

    signal.connect(receiver)
    try:
        yield calls
    finally:
        signal.disconnect(receiver)


def _profile_form(**changes: str) -> dict:
    data = {"display_name": "Sam", "pronouns": "", "bio": "", "language": "en", "email": "", "current_password": ""}
    return {**data, **changes}


def test_a_profile_change_is_offered_to_the_receivers_with_only_the_changed_text(app: Flask) -> None:
    with app.app_context():
        make_user("sam", display_name="Sam")
    client = app.test_client()
    sign_in(client, "sam")
    with _received(signals.profile_changing) as calls:
        response = post_form(client, "/account/profile", _profile_form(bio="I like tea."))
    assert response.status_code == 302
    ((sender, kwargs),) = calls
    assert sender == "sam"
    assert kwargs == {"display_name": None, "bio": "I like tea."}


def test_a_receiver_refuses_a_profile_change_and_nothing_is_saved(app: Flask) -> None:
    def refuse(_sender, **_kwargs):
        raise DomainError("Not that name.", field="display_name")

    with app.app_context():
        make_user("sam", display_name="Sam")
    client = app.test_client()
    sign_in(client, "sam")
    signals.profile_changing.connect(refuse)
    try:
        response = post_form(client, "/account/profile", _profile_form(display_name="Samuel"))
    finally:
        signals.profile_changing.disconnect(refuse)
    assert response.status_code == 400
    assert "Not that name." in response.get_data(as_text=True)
    assert client.get("/account/profile").get_data(as_text=True).count('value="Sam"') == 1


def test_moderation_screens_profiles_through_the_signal(app: Flask) -> None:
    assert any(
        getattr(receiver, "__module__", "") == "community.moderation.profile_receivers"
        for receiver in signals.profile_changing.receivers_for(object())
    )
    assert any(
        getattr(receiver, "__module__", "") == "community.moderation.profile_receivers"
        for receiver in signals.profile_opening.receivers_for(object())
    )


def test_opening_a_profile_sends_profile_opening_and_a_receiver_may_hide_it(app: Flask) -> None:
    with app.app_context():
        admin = make_user("boss", admin=True)
        group = make_group(admin, "Parents")
        sam, lou = make_user("sam"), make_user("lou")
        add_to_group(admin, group, sam)
        add_to_group(admin, group, lou)
        lou_id = lou.id
    client = app.test_client()
    sign_in(client, "sam")
    with _received(signals.profile_opening) as calls:
        assert client.get(f"/people/{lou_id}").status_code == 200
    ((viewer, kwargs),) = calls
    assert (viewer, kwargs["subject"].username) == ("sam", "lou")

    def hide(_viewer, **_kwargs):
        raise NotFound("We could not find that person.")

    signals.profile_opening.connect(hide)
    try:
        assert client.get(f"/people/{lou_id}").status_code == 404
    finally:
        signals.profile_opening.disconnect(hide)


def test_a_socket_connecting_and_closing_sends_user_connected_and_user_disconnected(app: Flask) -> None:
    with app.app_context():
        admin = make_user("boss", admin=True)
        group = make_group(admin, "Parents")
        sam = make_user("sam")
        add_to_group(admin, group, sam)
        group_id = group.id
        db.session.commit()
    client = app.test_client()
    sign_in(client, "sam")
    with _received(signals.user_connected) as connected, _received(signals.user_disconnected) as disconnected:
        socket = socketio.test_client(app, flask_test_client=client)
        assert socket.is_connected()
        ((user, kwargs),) = connected
        assert user == "sam"
        assert kwargs["group_ids"] == [group_id] and kwargs["sid"]
        socket.disconnect()
    ((sid, _),) = disconnected
    assert sid == kwargs["sid"]


def test_a_failing_connect_receiver_does_not_refuse_the_socket(app: Flask) -> None:
    def broken(_sender, **_kwargs):
        raise RuntimeError("boom")

    with app.app_context():
        make_user("sam")
    client = app.test_client()
    sign_in(client, "sam")
    signals.user_connected.connect(broken)
    try:
        socket = socketio.test_client(app, flask_test_client=client)
        assert socket.is_connected()
        socket.disconnect()
    finally:
        signals.user_connected.disconnect(broken)
