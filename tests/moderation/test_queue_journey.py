"""A whole journey through the pages, without a browser: a held post, a request to rephrase, the rewrite, the
approval, a report by another member, a hide, an appeal and its answer, with the notifications in between."""

from __future__ import annotations

import re

from sqlalchemy import select

from community.extensions import db
from community.forum.models import Post
from tests.factories import post_form
from tests.moderation.test_queue_world import build_world


def _open_first_notification(client) -> str:
    """Press "Open" on the newest notification, as the member would; returns where it leads."""
    inbox = client.get("/notifications").get_data(as_text=True)
    assert "A moderator made a decision" in inbox
    action = re.search(r'action="(/notifications/\d+/read)"', inbox).group(1)
    response = post_form(client, action, {"open": "1"}, form_page="/notifications")
    assert response.status_code == 303
    return response.headers["Location"]


def test_from_held_post_to_answered_appeal(db_app):
    world = build_world(db_app)
    mia, mona, max_, lena = (world.client(n) for n in ("mia", "mona", "max", "lena"))
    # Mia posts; the group checks every post first.
    topic = {"title": "Bad week", "body": "Mr Jansen from my class was mean", "content_warning": ""}
    response = post_form(mia, f"/g/{world.slug}/topics/new", topic)
    assert response.status_code in (302, 303)
    with world.app.app_context():
        post_id = db.session.scalar(select(Post.id).where(Post.author_id == world.ids["mia"]))
    # Mona finds it in her queue and asks Mia to rephrase.
    queue = mona.get("/moderation/").get_data(as_text=True)
    item_id = int(re.search(r"/moderation/items/(\d+)", queue).group(1))
    assert "Mr Jansen from my class was mean" in mona.get(f"/moderation/items/{item_id}").get_data(as_text=True)
    assert world.act("mona", item_id, "rephrase", reason="Please leave out the teacher's name.").status_code == 303
    # Mia reads it in her notifications and rephrases.
    decision = _open_first_notification(mia)
    assert decision.startswith("/moderation/decisions/")
    page = mia.get(decision).get_data(as_text=True)
    assert "Please leave out the teacher" in page
    assert (
        post_form(mia, decision, {"which": "rephrase", "rephrase-body": "A teacher was mean to me"}).status_code == 303
    )
    # Back in the queue; Max approves it.
    queue = max_.get(f"/moderation/g/{world.group_id}").get_data(as_text=True)
    item_id = int(re.search(r"/moderation/items/(\d+)", queue).group(1))
    assert world.act("max", item_id, "approve").status_code == 303
    with world.app.app_context():
        post = db.session.get(Post, post_id)
        assert post.state == "published" and post.body_source == "A teacher was mean to me"
        topic_id = post.topic_id
    topic_page = lena.get(f"/g/{world.slug}/t/{topic_id}").get_data(as_text=True)
    assert "A teacher was mean to me" in topic_page
    assert f"/moderation/report/post/{post_id}" in topic_page  # members may report
    assert f"/moderation/content/post/{post_id}" in mona.get(f"/g/{world.slug}/t/{topic_id}").get_data(as_text=True)
    # Lena reports it; Mona hides it; Mia appeals; Max (not Mona) undoes it.
    assert (
        post_form(lena, f"/moderation/report/post/{post_id}", {"reason": "other", "note": "Not sure"}).status_code
        == 200
    )
    queue = mona.get("/moderation/?kind=report").get_data(as_text=True)
    item_id = int(re.search(r"/moderation/items/(\d+)", queue).group(1))
    assert world.act("mona", item_id, "hide", reason="About a real person").status_code == 303
    decisions = mia.get("/moderation/decisions").get_data(as_text=True)
    hide_link = re.findall(r'"(/moderation/decisions/\d+)"', decisions)[0]
    assert post_form(mia, hide_link, {"which": "appeal", "appeal-note": "No name is in it any more"}).status_code == 303
    queue = max_.get("/moderation/?kind=appeal").get_data(as_text=True)
    item_id = int(re.search(r"/moderation/items/(\d+)", queue).group(1))
    assert world.act("max", item_id, "overturn", reason="Right, it is fine now.").status_code == 303
    assert "A teacher was mean to me" in lena.get(f"/g/{world.slug}/t/{topic_id}").get_data(as_text=True)
    actions = [entry.action for entry in world.audit("moderation.rephrase") + world.audit("moderation.approve")
               + world.audit("moderation.hide") + world.audit("moderation.appeal_overturned")]  # fmt: skip
    assert sorted(actions) == sorted(
        ["moderation.rephrase", "moderation.approve", "moderation.hide", "moderation.appeal_overturned"]
    )
