"""``editable_post_ids`` checks a member's rights once per page; it must agree with ``can_edit_post`` for every
post, whoever reads (account state x membership state x role) and whatever the posts are."""

from __future__ import annotations

import itertools

import pytest

from community.auth.models import User
from community.forum import policy
from community.forum.models import Post
from community.groups.models import Group, Membership

GROUP = Group(id=1, name="G", slug="g", state="active")
ARCHIVED = Group(id=1, name="G", slug="g", state="archived")
READER_ID, OTHER_ID = 1, 2
POST_STATES = ("published", "held", "refused", "hidden", "removed")

POSTS = [
    Post(id=number, group_id=group_id, state=state, author_id=author_id)
    for number, (group_id, state, author_id) in enumerate(
        itertools.product((1, 2), POST_STATES, (READER_ID, OTHER_ID, None)), start=1
    )
]

READERS = [
    (User(id=READER_ID, state=account), Membership(group_id=group_id, user_id=READER_ID, state=state, role=role))
    for account, state, role, group_id in itertools.product(
        ("active", "suspended"), ("active", "muted", "suspended", "removed"), ("member", "moderator"), (1, 2)
    )
] + [(User(id=READER_ID, state="active"), None), (None, None)]


@pytest.mark.parametrize("group", [GROUP, ARCHIVED], ids=["active group", "archived group"])
@pytest.mark.parametrize(("user", "membership"), READERS)
def test_a_page_of_posts_is_editable_exactly_where_each_post_is(group, user, membership) -> None:
    expected = {post.id for post in POSTS if policy.can_edit_post(user, group, membership, post)}
    assert policy.editable_post_ids(user, group, membership, POSTS) == expected


def test_the_writer_edits_their_own_and_a_moderator_any_in_the_group() -> None:
    writer = Membership(group_id=1, user_id=READER_ID, state="active", role="member")
    moderator = Membership(group_id=1, user_id=READER_ID, state="active", role="moderator")
    reader = User(id=READER_ID, state="active")
    own = {p.id for p in POSTS if p.group_id == 1 and p.state in ("published", "held") and p.author_id == READER_ID}
    in_group = {p.id for p in POSTS if p.group_id == 1 and p.state in ("published", "held")}
    assert policy.editable_post_ids(reader, GROUP, writer, POSTS) == own != set()
    assert policy.editable_post_ids(reader, GROUP, moderator, POSTS) == in_group
