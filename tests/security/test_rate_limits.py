"""Per-member rate limits on what a script or a stolen session could repeat: "I'm worried" over the socket as
over HTTP (one allowance), invitations (each address of a bulk list counts), the password typed again to
delete the account or change the e-mail address, and search. The rates are settings; the tests set small ones."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from community.auth.models import User
from community.extensions import db
from community.forum.models import Post
from community.groups.models import Invitation
from community.moderation.safeguarding.models import SafeguardingCase
from tests.chat.helpers import send
from tests.factories import PASSWORD, make_group, make_user, post_form, sign_in
from tests.moderation.safeguarding_world import safeguarding_world, topic_form


def _count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def world(db_app):
    world = safeguarding_world(db_app)
    yield world
    world.close()


def test_raising_worries_over_the_socket_draws_on_the_same_allowance_as_the_page(world):
    world.app.config["SAFEGUARDING_RAISE_RATE"] = "2 per hour"
    assert topic_form(world.http("sam"), world.slug, "Just a normal day.", title="Day").status_code == 200
    with world.app.app_context():
        post_id = db.session.scalar(select(Post.id))
    sam, noor = world.socket("sam"), world.socket("noor")
    sam.emit("chat:join", {"conversation_id": world.room_id}, callback=True)
    message_ids = [send(sam, world, f"message {n}", f"m-{n}")["message"]["id"] for n in range(3)]
    noor_http = world.http("noor")
    page = post_form(noor_http, f"/g/{world.slug}/posts/{post_id}/worried", {"note": ""})
    assert page.status_code == 303
    assert noor.emit("safeguarding:raise", {"message_id": message_ids[0]}, callback=True)["ok"] is True

    refused = noor.emit("safeguarding:raise", {"message_id": message_ids[1]}, callback=True)
    assert refused["ok"] is False and refused["code"] == "rate_limited"
    assert "many concerns" in refused["error"]
    assert refused["notices"] and refused["help"]["url"] == "/help", "a refusal still shows the helplines"
    again = post_form(noor_http, f"/g/{world.slug}/posts/{post_id}/worried", {"note": ""})
    assert again.status_code == 429, "the page counts in the same bucket"
    assert _count(world.app, SafeguardingCase) == 2

    moderator = world.socket("youthworker")
    other = moderator.emit("safeguarding:raise", {"message_id": message_ids[2]}, callback=True)
    assert other["ok"] is True, "another member (on the same address) has an allowance of their own"


def test_a_bulk_invitation_counts_every_address_against_the_invitation_limit(app):
    app.config["INVITE_RATE"] = "5 per hour"
    with app.app_context():
        admin = make_user("boss", admin=True)
        slug = make_group(admin, "Parents").slug
    client = app.test_client()
    sign_in(client, "boss")
    url = f"/g/{slug}/invitations"

    def bulk(addresses: list[str]):
        data = {"action": "bulk", "bulk-emails": "\n".join(addresses), "bulk-role": "member", "bulk-days": "7"}
        return post_form(client, url, data)

    assert bulk([f"first{n}@example.org" for n in range(3)]).status_code == 200
    assert _count(app, Invitation) == 3
    mails_before = len(app.extensions.get("kring_outbox", []))
    assert bulk([f"second{n}@example.org" for n in range(3)]).status_code == 429, "3 + 3 is over 5"
    assert _count(app, Invitation) == 3, "nothing stored"
    assert len(app.extensions.get("kring_outbox", [])) == mails_before, "and nothing sent"
    single = {"action": "email", "email-email": "one@example.org", "email-role": "member", "email-days": "7"}
    assert post_form(client, url, single).status_code == 429


def _member(app, name: str):
    with app.app_context():
        make_user(name, email=f"{name}@example.org")
    client = app.test_client()
    sign_in(client, name)
    return client


def test_guessing_the_password_through_account_deletion_is_stopped(app):
    app.config["REAUTHENTICATE_RATE"] = "2 per hour"
    mia = _member(app, "mia")
    wrong = {"mode": "remove", "password": "not-the-password", "confirm": "y"}
    assert [post_form(mia, "/account/delete", wrong).status_code for _ in range(2)] == [400, 400]
    right = {**wrong, "password": PASSWORD}
    assert post_form(mia, "/account/delete", right).status_code == 429
    with app.app_context():
        assert db.session.scalar(select(User.state).where(User.username == "mia")) == "active"


def test_guessing_the_password_through_an_email_change_is_stopped_and_plain_profile_saves_are_not(app):
    app.config["REAUTHENTICATE_RATE"] = "2 per hour"
    mia = _member(app, "mia")
    profile = {"display_name": "Mia", "language": "en", "email": "new@example.org", "current_password": "guess"}
    assert [post_form(mia, "/account/profile", profile).status_code for _ in range(2)] == [400, 400]
    assert post_form(mia, "/account/profile", {**profile, "current_password": PASSWORD}).status_code == 429
    with app.app_context():
        assert db.session.scalar(select(User.email).where(User.username == "mia")) == "mia@example.org"
    unchanged = {"display_name": "Mia M", "language": "en", "email": "mia@example.org"}
    assert post_form(mia, "/account/profile", unchanged).status_code == 302, "no password typed, nothing checked"


def test_searching_in_a_flood_is_stopped_per_member(app):
    app.config["SEARCH_RATE"] = "2 per minute"
    mia, noor = _member(app, "mia"), _member(app, "noor")
    answers = [mia.get("/search", query_string={"q": f"word{n}"}).status_code for n in range(3)]
    assert answers == [200, 200, 429]
    assert mia.get("/search").status_code == 200, "the empty search page is not a search"
    assert noor.get("/search", query_string={"q": "word"}).status_code == 200, "another member on the same address"


def test_with_redis_a_socket_and_a_page_share_one_allowance_under_the_limiters_own_keys(redis_url):
    """Several server processes: the socket event counts in the same Redis bucket as the page's POST."""
    import uuid

    import redis

    from tests.conftest import _fresh_schema, build_app

    prefix = f"kring-test-{uuid.uuid4().hex[:8]}"
    connection = redis.Redis.from_url(redis_url)
    built = build_app("sqlite://", RATELIMIT_STORAGE_URI=redis_url, RATELIMIT_KEY_PREFIX=prefix)
    built.config["SAFEGUARDING_RAISE_RATE"] = "1 per hour"
    for app in _fresh_schema(built):
        world = safeguarding_world(app)
        try:
            sam, noor = world.socket("sam"), world.socket("noor")
            sam.emit("chat:join", {"conversation_id": world.room_id}, callback=True)
            message_id = send(sam, world, "a message", "m-1")["message"]["id"]
            page = post_form(world.http("noor"), f"/messages/{message_id}/worried", {"note": ""})
            assert page.status_code == 303
            refused = noor.emit("safeguarding:raise", {"message_id": message_id}, callback=True)
            assert refused["code"] == "rate_limited"
            keys = [key.decode() for key in connection.scan_iter(f"*{prefix}*safeguarding-raise*")]
            assert keys == [f"LIMITS:LIMITER/{prefix}/member:{world.ids['noor']}/safeguarding-raise/1/1/hour"]
            assert 0 < connection.ttl(keys[0]) <= 3600, "the counter expires by itself"
        finally:
            world.close()
            for key in connection.scan_iter(f"*{prefix}*"):
                connection.delete(key)
