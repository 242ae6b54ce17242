"""Withdrawing consent, or a consent to give again (a new version of a required document, new group rules),
closes the person's open sockets at once, like a suspension: a paused account does not keep receiving its
groups' live messages on a socket it opened before."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from community.consent import rules
from community.core.audit import AuditEntry
from community.extensions import db, socketio
from community.groups.models import Group
from tests.consent.helpers import TEXTS, agree_all, build_world, publish_required
from tests.factories import make_user, post_form


@pytest.fixture
def world(db_app):
    world = build_world(db_app)
    publish_required(db_app)
    agree_all(db_app, "mia", "mona", "otto")
    return world


def _live(world, username: str):
    socket = socketio.test_client(world.app, flask_test_client=world.client(username))
    assert socket.is_connected()
    return socket


def _published(app, **where) -> list[AuditEntry]:
    with app.app_context():
        query = select(AuditEntry).where(AuditEntry.action == "consent.version_published")
        return list(db.session.scalars(query.filter_by(**where).order_by(AuditEntry.id)))


def test_withdrawing_consent_closes_the_members_open_sockets(world):
    mia = world.client("mia")
    socket = socketio.test_client(world.app, flask_test_client=mia)
    other = _live(world, "otto")
    assert socket.is_connected()

    assert post_form(mia, "/consent/withdraw", {"confirm": "y"}).status_code == 303
    assert not socket.is_connected(), "the socket opened before the withdrawal is closed"
    assert not socketio.test_client(world.app, flask_test_client=mia).is_connected(), "and cannot reconnect"
    assert other.is_connected(), "nobody else is touched"


def test_a_failed_withdrawal_closes_nothing(world):
    mia = world.client("mia")
    socket = socketio.test_client(world.app, flask_test_client=mia)
    assert post_form(mia, "/consent/withdraw", {}).status_code == 400  # the confirmation box not ticked
    assert socket.is_connected()


def test_a_new_version_of_a_required_document_closes_every_socket_until_people_agree_again(world):
    mia, otto = _live(world, "mia"), _live(world, "otto")
    before = len(_published(world.app))
    publish_required(world.app, texts={"terms": TEXTS["terms"] + "\nNo selling of medicines."})

    (entry,) = _published(world.app)[before:]
    assert entry.actor_id == world.ids["admin1"] and entry.details["kind"] == "terms"
    assert not mia.is_connected() and not otto.is_connected()
    assert not socketio.test_client(world.app, flask_test_client=world.client("mia")).is_connected()
    agree_all(world.app, "mia")
    assert socketio.test_client(world.app, flask_test_client=world.client("mia")).is_connected()


def test_new_group_rules_close_the_sockets_of_the_people_online_in_that_group_only(world):
    with world.app.app_context():
        outsider = make_user("zed")
        world.ids["zed"] = outsider.id
    agree_all(world.app, "zed")
    mia, zed = _live(world, "mia"), _live(world, "zed")

    with world.app.app_context():
        group = db.session.scalar(select(Group).where(Group.slug == world.slug))
        rules.write_rules(world.user("mona"), group, language="en", text="Be kind. Nothing about medicines.")
        db.session.commit()
        group_id = group.id

    (entry,) = _published(world.app, group_id=group_id)
    assert entry.actor_id == world.ids["mona"] and entry.details["kind"] == "group_rules"
    assert not mia.is_connected(), "a member who must accept the new rules is out of the group's live stream"
    assert zed.is_connected(), "someone outside the group is not touched"


def test_with_several_processes_every_open_socket_is_found_to_close(redis_url):
    """The Redis registry (production: several processes) lists every living socket for a new required document."""
    import uuid

    from community.core.socket_registry import RedisRegistry

    registry = RedisRegistry(redis_url, f"kring-test-{uuid.uuid4().hex[:8]}")
    registry._renew()  # this process is alive; no background renewal in a test (no Socket.IO server runs)
    registry._renewer = "not started"
    registry.add("sid-a", 1, 10, [5])
    registry.add("sid-b", 2, None, [])
    try:
        assert registry.all_sids() == ["sid-a", "sid-b"]
        registry.remove("sid-a")
        assert registry.all_sids() == ["sid-b"]
    finally:
        registry.remove("sid-b")
        registry.redis.delete(registry._key("host", registry.host))
