"""A member's own safety tools: mute (collapse, for me) and block (no private messages or mentions from them,
and they cannot open my profile). Nobody is told; moderators keep their duty of care."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from community.auth.models import User
from community.chat import leaving
from community.extensions import db
from community.groups.models import Group
from community.moderation import safety
from community.moderation.models import MemberRelation
from community.notifications.models import Notification
from tests.factories import post_form
from tests.moderation.test_queue_world import World, build_world


@pytest.fixture
def world(db_app) -> World:
    world = build_world(db_app, premoderation="none")
    with world.app.app_context():
        db.session.get(Group, world.group_id).member_messages_allowed = True
        for name in ("mia", "noah", "lena"):
            db.session.get(User, world.ids[name]).year_of_birth = 1990
        db.session.commit()
    return world


def _set(world: World, who: str, other: str, kind: str, on: bool = True):
    return post_form(
        world.client(who), f"/moderation/safety/{world.ids[other]}", {"kind": kind, "on": "1" if on else "0"},
        form_page="/moderation/safety",
    )  # fmt: skip


def test_muting_someone_lists_them_for_me_only_and_can_be_undone(world):
    profile = world.client("mia").get(f"/people/{world.ids['noah']}").get_data(as_text=True)
    assert "Mute" in profile and "Block" in profile and "Report this profile" in profile
    assert _set(world, "mia", "noah", "mute").status_code == 303
    assert _set(world, "mia", "noah", "mute").status_code == 303  # twice changes nothing
    with world.app.app_context():
        mia, lena = db.session.get(User, world.ids["mia"]), db.session.get(User, world.ids["lena"])
        assert safety.muted_author_ids(mia) == {world.ids["noah"]}
        assert safety.muted_author_ids(lena) == set()
        assert len(db.session.scalars(select(MemberRelation)).all()) == 1
    page = world.client("mia").get("/moderation/safety").get_data(as_text=True)
    assert "Noah" in page and "Unmute" in page
    assert _set(world, "mia", "noah", "mute", on=False).status_code == 303
    with world.app.app_context():
        assert safety.muted_author_ids(db.session.get(User, world.ids["mia"])) == set()


def test_bad_safety_requests_change_nothing(world):
    assert _set(world, "mia", "mia", "mute").status_code == 303  # refused with a message
    assert "cannot mute or block yourself" in world.client("mia").get("/moderation/safety").get_data(as_text=True)
    bad_kind = post_form(world.client("mia"), f"/moderation/safety/{world.ids['noah']}", {"kind": "ban", "on": "1"},
                         form_page="/moderation/safety")  # fmt: skip
    assert bad_kind.status_code == 303
    missing = post_form(world.client("mia"), "/moderation/safety/999999", {"kind": "mute", "on": "1"},
                        form_page="/moderation/safety")  # fmt: skip
    assert missing.status_code == 404
    with world.app.app_context():
        assert db.session.scalars(select(MemberRelation)).all() == []


def test_blocking_stops_private_messages_mentions_and_profile_views_but_not_moderators(world):
    assert _set(world, "mia", "noah", "block").status_code == 303
    # Noah cannot open Mia's profile any more; Mia still sees Noah's. A moderator still sees Mia's.
    assert world.client("noah").get(f"/people/{world.ids['mia']}").status_code == 404
    assert world.client("mia").get(f"/people/{world.ids['noah']}").status_code == 200
    assert world.client("mona").get(f"/people/{world.ids['mia']}").status_code == 200
    # No private conversation either way.
    from community.chat import private
    from community.core.errors import Forbidden
    from community.groups import services as groups

    with world.app.app_context():
        noah = db.session.get(User, world.ids["noah"])
        lena = db.session.get(User, world.ids["lena"])
        # Lena (not blocked) can start one with Noah: the block, not the group's rules, stops Noah and Mia.
        assert private.start_private_conversation(lena, groups.open_group(lena, world.slug), noah.id).created
        db.session.commit()
        with pytest.raises(Forbidden, match="cannot be reached"):
            private.start_private_conversation(noah, groups.open_group(noah, world.slug), world.ids["mia"])
        db.session.rollback()
        mia = db.session.get(User, world.ids["mia"])
        with pytest.raises(Forbidden, match="cannot be reached"):
            private.start_private_conversation(mia, groups.open_group(mia, world.slug), world.ids["noah"])
        db.session.rollback()
        # A moderator can still reach Mia.
        mona = db.session.get(User, world.ids["mona"])
        started = private.start_private_conversation(mona, groups.open_group(mona, world.slug), world.ids["mia"])
        db.session.commit()
        assert started.conversation.id
    # Noah's mention tells Mia nothing; Lena's does.
    topic_id, _post = world.topic("lena")
    world.reply("noah", topic_id, body="@Mia what do you think?")
    world.reply("lena", topic_id, body="@Mia and you?")
    with world.app.app_context():
        mentions = db.session.scalars(
            select(Notification.actor_id).where(
                Notification.user_id == world.ids["mia"], Notification.kind == "mention"
            )
        ).all()
        assert mentions == [world.ids["lena"]]


def test_a_private_conversation_started_before_a_block_takes_no_more_messages(world):
    from community.chat import private, sending
    from community.chat import services as chat
    from community.core.errors import Forbidden
    from community.groups import services as groups

    with world.app.app_context():
        noah = db.session.get(User, world.ids["noah"])
        conversation_id = private.start_private_conversation(
            noah, groups.open_group(noah, world.slug), world.ids["mia"]
        ).conversation.id
        db.session.commit()
    assert _set(world, "mia", "noah", "block").status_code == 303
    with world.app.app_context():
        noah = db.session.get(User, world.ids["noah"])
        with pytest.raises(Forbidden, match="cannot be reached"):
            sending.send(chat.open_conversation(noah, conversation_id), client_id="after-block", body="Hi?")


def test_leaving_a_private_conversation_deletes_it_on_my_side_and_closes_it(world):
    from community.chat import message_history, private, sending
    from community.chat import services as chat
    from community.core.errors import Forbidden, NotFound
    from community.groups import services as groups

    with world.app.app_context():
        noah = db.session.get(User, world.ids["noah"])
        conversation_id = private.start_private_conversation(
            noah, groups.open_group(noah, world.slug), world.ids["mia"]
        ).conversation.id
        sending.send(chat.open_conversation(noah, conversation_id), client_id="before-leaving", body="Hi Mia")
        db.session.commit()
    mia = world.client("mia")
    page = mia.get(f"/conversations/{conversation_id}").get_data(as_text=True)
    assert "Leave and delete on my side" in page
    # Someone else cannot leave it for her.
    assert post_form(world.client("lena"), f"/moderation/conversations/{conversation_id}/leave", {},
                     form_page="/moderation/safety").status_code == 404  # fmt: skip
    response = post_form(mia, f"/moderation/conversations/{conversation_id}/leave", {},
                         form_page=f"/conversations/{conversation_id}")  # fmt: skip
    assert response.status_code == 303
    assert mia.get(f"/conversations/{conversation_id}").status_code == 404
    assert f'/conversations/{conversation_id}"' not in mia.get("/conversations").get_data(as_text=True)
    with world.app.app_context():
        noah = db.session.get(User, world.ids["noah"])
        access = chat.open_conversation(noah, conversation_id)  # Noah keeps his copy
        assert [m.body_source for m in message_history.latest(access).messages] == ["Hi Mia"]
        with pytest.raises(Forbidden, match="closed"):
            sending.send(access, client_id="after-leaving", body="Are you there?")
        db.session.rollback()
        # Talking again later is a new conversation.
        again = private.start_private_conversation(noah, groups.open_group(noah, world.slug), world.ids["mia"])
        assert again.created and again.conversation.id != conversation_id
        db.session.rollback()
        with pytest.raises(NotFound):
            leaving.leave_conversation(db.session.get(User, world.ids["mia"]), conversation_id)  # already left
