"""Moderation acts on the forum's posts, chat's messages and the professionals' questions only through the
target kinds those features register at start-up (``moderation.targets``): the registry is filled by
``create_app``, a name nobody registered is a clean "not found", and a registered kind loads and changes its own
content."""

from __future__ import annotations

import pytest

from community.core.errors import NotFound
from community.extensions import db
from community.moderation import targets
from tests.moderation.test_queue_world import build_world


def test_create_app_registers_the_target_kinds_and_places(app):
    assert {"post", "message", "pro_question", "pro_request"} <= set(targets.kinds())
    assert targets.place_kind("topic") is not None
    assert targets.place_kind("conversation") is not None
    assert targets.kind_of("pro_question").actions == ("approve", "refuse", "dismiss")
    assert targets.kind_of("post").actions is None  # every content action applies to a post


@pytest.mark.parametrize(("target_type", "target_id"), [("nonsense", 1), ("user", 1), ("post", 0), ("post", 2**31)])
def test_an_unknown_kind_or_id_is_not_found(app, target_type, target_id):
    with app.app_context():
        with pytest.raises(NotFound):
            targets.load(target_type, target_id)
        assert targets.load_place("nonsense", 1) is None


def test_a_registered_kind_loads_and_changes_its_content(app):
    world = build_world(app, premoderation="off")
    topic_id, post_id = world.topic("mia")
    message_id = world.message("noah")
    with app.app_context():
        post = targets.load("post", post_id)
        assert (post.group_id, post.topic.id, post.state, post.is_content) == (
            world.group_id,
            topic_id,
            "published",
            True,
        )
        assert post.words_editable and not post.is_private_message
        targets.set_state(post, "hidden", "a reason")
        db.session.commit()
        assert targets.load("post", post_id).state == "hidden"
        assert targets.load("post", post_id).topic.state == "hidden"  # the opening post carries its topic
        message = targets.load("message", message_id)
        assert message.conversation.kind == "group" and message.words_editable and not message.is_private_message
        with pytest.raises(NotFound):
            targets.load("message", message_id + 1000)


def test_unknown_kinds_in_moderation_urls_answer_404(app):
    client = build_world(app).client("mona")
    assert client.get("/moderation/content/nonsense/1").status_code == 404
    assert client.get("/moderation/content/post/999999").status_code == 404
