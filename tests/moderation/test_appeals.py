"""Appeals: once per decision, back in the queue as "appeal" for a different moderator where there is one, and
the answer (keep or undo) reaches the member."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from community.extensions import db
from community.forum.models import Post
from community.groups.models import Membership
from community.moderation.models import Appeal
from community.notifications.models import Notification
from tests.factories import post_form
from tests.moderation.test_queue_world import World, build_world


@pytest.fixture
def world(db_app) -> World:
    return build_world(db_app)


def _decision_id(world: World, name: str, kind: str = "moderation_outcome") -> int:
    with world.app.app_context():
        return db.session.scalars(
            select(Notification.target_id)
            .where(Notification.user_id == world.ids[name], Notification.kind == kind)
            .order_by(Notification.id.desc())
        ).first()


def _appeal(world: World, who: str, decision_id: int, note: str):
    return post_form(
        world.client(who), f"/moderation/decisions/{decision_id}", {"which": "appeal", "appeal-note": note}
    )


def test_an_appeal_goes_to_another_moderator_and_undoing_restores_the_post(world):
    _topic, post_id = world.topic("mia")
    world.act("mona", world.item_id("post", post_id), "refuse", reason="Too personal")
    decision = _decision_id(world, "mia")
    assert _appeal(world, "mia", decision, "   ").status_code == 400
    assert _appeal(world, "mia", decision, "It was about me, not anyone else").status_code == 303
    [item] = world.open_items("appeal", _appeal_id(world, decision))
    assert item.kind == "appeal" and item.excluded_moderator_id == world.ids["mona"]
    # Once only.
    again = _appeal(world, "mia", decision, "Please")
    assert again.status_code == 400 and "already" in again.get_data(as_text=True)
    # The moderator who refused cannot answer while another one exists.
    page = world.client("mona").get(f"/moderation/items/{item.id}").get_data(as_text=True)
    assert "another moderator of the group answers the appeal" in page and "It was about me" in page
    refused = world.act("mona", item.id, "overturn", reason="Fine")
    assert refused.status_code == 400 and world.open_items("appeal", item.target_id)
    assert world.audit("moderation.appeal_overturned") == []
    # Another moderator undoes it.
    assert world.act("max", item.id, "overturn", reason="You are right, sorry.").status_code == 303
    with world.app.app_context():
        assert db.session.get(Post, post_id).state == "published"
        assert db.session.get(Appeal, item.target_id).outcome == "overturned"
    [entry] = world.audit("moderation.appeal_overturned")
    assert entry.actor_id == world.ids["max"] and entry.reason == "You are right, sorry."
    answer = _decision_id(world, "mia", "appeal_outcome")
    text = world.client("mia").get(f"/moderation/decisions/{answer}").get_data(as_text=True)
    assert "undid the decision" in text and "You are right, sorry." in text


def _appeal_id(world: World, decision_id: int) -> int:
    with world.app.app_context():
        return db.session.scalar(select(Appeal.id).where(Appeal.action_id == decision_id))


def test_a_sanction_can_be_appealed_and_kept_and_the_only_moderator_may_answer_their_own(world):
    _topic, post_id = world.topic("mia")
    world.act("mona", world.item_id("post", post_id), "suspend", reason="Threats", days="7")
    decision = _decision_id(world, "mia")
    # A suspended member can still read the decision and appeal (they cannot open the group).
    assert world.client("mia").get(f"/moderation/decisions/{decision}").status_code == 200
    assert _appeal(world, "mia", decision, "I was angry, it will not happen again").status_code == 303
    appeal_id = _appeal_id(world, decision)
    item_id = world.item_id("appeal", appeal_id)
    # With max no longer a moderator, mona is the only one left and may answer.
    with world.app.app_context():
        db.session.execute(
            Membership.__table__.update().where(Membership.user_id == world.ids["max"]).values(role="member")
        )
        db.session.commit()
    assert world.act("mona", item_id, "uphold", reason="The suspension stays for the week.").status_code == 303
    assert world.membership("mia").state == "suspended"
    [entry] = world.audit("moderation.appeal_upheld")
    assert entry.details["moderation_action_id"] == decision
    answer = _decision_id(world, "mia", "appeal_outcome")
    assert "the decision stands" in world.client("mia").get(f"/moderation/decisions/{answer}").get_data(as_text=True)


def test_approvals_and_answers_cannot_be_appealed(world):
    _topic, post_id = world.topic("mia")
    world.act("mona", world.item_id("post", post_id), "approve")
    decision = _decision_id(world, "mia")
    text = world.client("mia").get(f"/moderation/decisions/{decision}").get_data(as_text=True)
    assert "This decision cannot be appealed." in text
    assert _appeal(world, "mia", decision, "Why").status_code == 400
    with world.app.app_context():
        assert db.session.scalars(select(Appeal)).all() == []
    # The member's list of decisions.
    assert "Approved" in world.client("mia").get("/moderation/decisions").get_data(as_text=True)


def test_undoing_an_edit_brings_back_the_writers_text(world):
    _topic, post_id = world.topic("mia", body="My own words")
    world.act("mona", world.item_id("post", post_id), "edit_approve", body="A moderator's words")
    decision = _decision_id(world, "mia")
    assert _appeal(world, "mia", decision, "Please keep my words").status_code == 303
    item_id = world.item_id("appeal", _appeal_id(world, decision))
    assert world.act("max", item_id, "overturn", reason="Your words are fine.").status_code == 303
    with world.app.app_context():
        post = db.session.get(Post, post_id)
        assert post.body_source == "My own words" and post.state == "published"
