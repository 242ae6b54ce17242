"""A muted writer's name on the topic page is escaped exactly once: "Tom & Jerry <x>" shows as written, never
as "Tom &amp; Jerry" on screen (``&amp;amp;`` in the HTML), and never as markup."""

from __future__ import annotations

from sqlalchemy import select

from community.auth.models import User
from community.extensions import db
from community.forum import writing
from community.groups.services import open_group
from community.moderation import safety
from tests.factories import add_to_group, make_group, make_user, sign_in

NAME = "Tom & Jerry <x>"


def test_a_muted_authors_name_is_escaped_once_on_the_topic_page(db_app):
    with db_app.app_context():
        admin = make_user("boss", admin=True)
        group = make_group(admin, "Parents")
        tom, sam = make_user("tom", display_name=NAME), make_user("sam")
        add_to_group(admin, group, tom)
        add_to_group(admin, group, sam)
        topic = writing.create_topic(tom, open_group(tom, group.slug), title="Hello", body="First post.")
        safety.set_relation(sam, tom.id, "mute", on=True)
        db.session.commit()
        path = f"/g/{group.slug}/t/{topic.topic.id}"
        assert db.session.scalar(select(User.display_name).where(User.id == tom.id)) == NAME
    client = db_app.test_client()
    sign_in(client, "sam")
    html = client.get(path).get_data(as_text=True)
    assert "A post by Tom &amp; Jerry &lt;x&gt;, whom you muted." in html
    assert "&amp;amp;" not in html and "&amp;lt;" not in html
    assert "<x>" not in html
