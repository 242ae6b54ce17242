"""Where a member is signed in: listing sessions, ending one, ending all others, and closing open sockets."""

from __future__ import annotations

from sqlalchemy import select

from community.auth.models import UserSession
from community.core.sessions import SEEN_DB_EVERY_SECONDS, SEEN_DB_KEY
from community.extensions import db, socketio
from tests.factories import make_user, post_form, sign_in

FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0"
SAFARI = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 Version/17.5 Safari/604.1"


def _signed_in(app, username: str, user_agent: str = ""):
    client = app.test_client()
    if user_agent:
        client.environ_base["HTTP_USER_AGENT"] = user_agent
    sign_in(client, username)
    return client


def _open_session_ids(app) -> list[int]:
    with app.app_context():
        return list(db.session.scalars(select(UserSession.id).where(UserSession.ended_at.is_(None))).all())


def _session_id_of(client) -> int:
    html = client.get("/account/sessions").get_data(as_text=True)
    return int(html.split('action="/account/sessions/')[1].split("/end")[0])


def test_the_list_shows_each_browser_and_marks_this_device(app):
    with app.app_context():
        make_user("sam")
    laptop = _signed_in(app, "sam", FIREFOX)
    _signed_in(app, "sam", SAFARI)
    html = laptop.get("/account/sessions").get_data(as_text=True)
    assert "Firefox on Windows" in html and "Safari on iPhone" in html
    assert html.count("This device") == 1
    assert html.count("End this session") == 1, "the current session is ended with Sign out, not from the list"


def test_ending_one_session_signs_that_browser_out(db_app):
    with db_app.app_context():
        make_user("sam")
    laptop = _signed_in(db_app, "sam", FIREFOX)
    phone = _signed_in(db_app, "sam", SAFARI)
    phone_id = _session_id_of(laptop)

    response = post_form(laptop, f"/account/sessions/{phone_id}/end", {}, form_page="/account/sessions")

    assert response.status_code == 302
    assert phone.get("/").status_code == 302, "the phone's cookie stops working"
    assert laptop.get("/").status_code == 200
    assert phone_id not in _open_session_ids(db_app)


def test_someone_elses_session_cannot_be_ended(db_app):
    with db_app.app_context():
        make_user("sam")
        kim_user_id = make_user("kim").id
    sam = _signed_in(db_app, "sam")
    kim = _signed_in(db_app, "kim")
    with db_app.app_context():
        kim_id = db.session.scalar(select(UserSession.id).where(UserSession.user_id == kim_user_id))

    response = post_form(sam, f"/account/sessions/{kim_id}/end", {}, form_page="/account/sessions")

    assert response.status_code == 404
    assert kim.get("/").status_code == 200, "Kim is still signed in"
    assert post_form(sam, "/account/sessions/999999/end", {}, form_page="/account/sessions").status_code == 404


def test_sign_out_everywhere_else_keeps_only_this_browser(db_app):
    with db_app.app_context():
        make_user("sam")
        make_user("kim")
    laptop, phone, tablet = (_signed_in(db_app, "sam") for _ in range(3))
    kim = _signed_in(db_app, "kim")

    response = post_form(laptop, "/account/sessions/end-others", {}, form_page="/account/sessions")

    assert response.status_code == 302
    assert "2 other sessions are ended." in laptop.get("/account/sessions").get_data(as_text=True)
    assert phone.get("/").status_code == 302 and tablet.get("/").status_code == 302
    assert laptop.get("/").status_code == 200
    assert kim.get("/").status_code == 200, "other people's sessions are untouched"
    assert len(_open_session_ids(db_app)) == 2


def test_ending_the_current_session_from_the_list_signs_out(app):
    with app.app_context():
        make_user("sam")
    laptop = _signed_in(app, "sam")
    own_id = _open_session_ids(app)[0]
    response = post_form(laptop, f"/account/sessions/{own_id}/end", {}, form_page="/account/sessions")
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert laptop.get("/").status_code == 302


def test_ending_a_session_needs_the_form_token(app):
    with app.app_context():
        make_user("sam")
    laptop = _signed_in(app, "sam")
    own_id = _open_session_ids(app)[0]
    assert laptop.post(f"/account/sessions/{own_id}/end").status_code == 400
    assert own_id in _open_session_ids(app)


def test_last_seen_is_written_at_most_every_few_minutes(app):
    with app.app_context():
        make_user("sam")
    laptop = _signed_in(app, "sam")
    laptop.get("/")
    with app.app_context():
        first_seen = db.session.scalar(select(UserSession.last_seen_at))
    laptop.get("/")
    with app.app_context():
        assert db.session.scalar(select(UserSession.last_seen_at)) == first_seen, "no write on every page"
    with laptop.session_transaction() as cookie:
        cookie[SEEN_DB_KEY] -= SEEN_DB_EVERY_SECONDS + 1
    laptop.get("/")
    with app.app_context():
        assert db.session.scalar(select(UserSession.last_seen_at)) > first_seen


# --- open sockets ------------------------------------------------------------------------------------------


def test_sign_out_closes_this_browsers_open_socket_but_not_the_others(app):
    with app.app_context():
        make_user("sam")
    laptop, phone = _signed_in(app, "sam"), _signed_in(app, "sam")
    laptop_socket = socketio.test_client(app, flask_test_client=laptop)
    phone_socket = socketio.test_client(app, flask_test_client=phone)
    assert laptop_socket.is_connected() and phone_socket.is_connected()

    post_form(laptop, "/logout", {}, form_page="/")

    assert not laptop_socket.is_connected()
    assert phone_socket.is_connected(), "signing out here does not sign out the phone"
    phone_socket.disconnect()


def test_ending_a_session_closes_its_socket(app):
    with app.app_context():
        make_user("sam")
    laptop, phone = _signed_in(app, "sam"), _signed_in(app, "sam")
    phone_socket = socketio.test_client(app, flask_test_client=phone)
    post_form(laptop, f"/account/sessions/{_session_id_of(laptop)}/end", {}, form_page="/account/sessions")
    assert not phone_socket.is_connected()


def test_sign_out_everywhere_else_closes_the_other_sockets(app):
    with app.app_context():
        make_user("sam")
    laptop, phone = _signed_in(app, "sam"), _signed_in(app, "sam")
    laptop_socket = socketio.test_client(app, flask_test_client=laptop)
    phone_socket = socketio.test_client(app, flask_test_client=phone)
    post_form(laptop, "/account/sessions/end-others", {}, form_page="/account/sessions")
    assert not phone_socket.is_connected()
    assert laptop_socket.is_connected()
    laptop_socket.disconnect()


def test_a_password_change_closes_every_open_socket_of_the_member(app):
    from tests.factories import PASSWORD

    with app.app_context():
        make_user("sam")
        make_user("kim")
    laptop, phone, kim = _signed_in(app, "sam"), _signed_in(app, "sam"), _signed_in(app, "kim")
    sockets = [socketio.test_client(app, flask_test_client=client) for client in (laptop, phone, kim)]
    new = "a-brand-new-long-secret"
    form = {"current_password": PASSWORD, "new_password": new, "new_password_again": new}
    assert post_form(laptop, "/account/password", form).status_code == 302
    assert [socket.is_connected() for socket in sockets] == [False, False, True]
    sockets[2].disconnect()


def test_disconnect_user_sockets_closes_all_of_a_members_sockets(app):
    from community.auth.account import disconnect_user_sockets

    with app.app_context():
        sam_id = make_user("sam").id
    laptop = _signed_in(app, "sam")
    socket = socketio.test_client(app, flask_test_client=laptop)
    with app.app_context():
        disconnect_user_sockets(sam_id)
    assert not socket.is_connected()
