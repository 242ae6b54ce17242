"""Writing in the forum through its pages: new topics, replies, edits, quotes, and every kind of bad input."""

from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import select

from community.core.audit import AuditEntry
from community.extensions import db, socketio
from community.forum.models import Post, PostRevision, Topic
from community.groups.models import Membership
from community.moderation import services as moderation
from community.moderation.models import QueueItem
from tests.factories import csrf_token, post_form
from tests.forum.writing_world import World, build_world

HELD = "Thank you. A moderator will look at your post before it is shown."


@pytest.fixture
def world(db_app) -> World:
    return build_world(db_app)


def new_topic(client, world: World, **data):
    form = {"title": "Exams while in hospital", "body": "Did anyone get *extra* time?", "content_warning": ""}
    return post_form(client, f"/g/{world.slug}/topics/new", {**form, **data})


def send_reply(client, world: World, topic_id: int, **data):
    return post_form(
        client,
        f"/g/{world.slug}/t/{topic_id}/reply",
        {"body": "Same here.", "content_warning": "", **data},
        form_page=f"/g/{world.slug}/t/{topic_id}",
    )


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def textarea(text: str, name: str = "body") -> str:
    match = re.search(rf'<textarea[^>]*name="{name}"[^>]*>(.*?)</textarea>', text, re.S)
    assert match, f"no {name} box on the page"
    value = html.unescape(match.group(1))
    return value.removeprefix("\r\n").removeprefix("\n")  # the newline after <textarea> is not content


# --- new topics -----------------------------------------------------------------------------------------------


def test_the_new_topic_form_documents_its_limits_and_warnings(world):
    text = page(world.client("sam"), f"/g/{world.slug}/topics/new")
    assert "<h1>Start a new topic</h1>" in text
    assert "3 to 160 characters." in text
    assert "Up to 20,000 characters." in text
    for label in ("No warning", "Self-harm", "Suicide", "Medical detail", "Loss", "Abuse"):
        assert f">{label}</option>" in text
    assert "coach" not in text.lower(), "only moderators may post as the coach"


def test_a_member_starts_a_topic_and_lands_on_its_first_post(world):
    client = world.client("sam")
    response = new_topic(client, world)
    assert response.status_code == 303
    with world.app.app_context():
        topic = db.session.scalar(select(Topic))
        post = db.session.scalar(select(Post))
        assert (topic.title, topic.state, post.state) == ("Exams while in hospital", "published", "published")
        assert post.body_html == "<p>Did anyone get <em>extra</em> time?</p>\n"
        assert post.is_coach_post is False
    assert response.headers["Location"] == f"/g/{world.slug}/t/{topic.id}#post-{post.id}"
    text = page(client, response.headers["Location"])
    assert "Your topic is published." in text
    # forum.js forgets the form's draft when, and only when, the server names it as accepted (once).
    assert f'data-draft-done="{world.slug}:new"' in text
    assert 'data-draft-done=""' in page(client, response.headers["Location"])


def test_the_group_page_offers_a_new_topic_to_writers_only(world):
    assert "New topic</a>" in page(world.client("sam"), f"/g/{world.slug}")
    with world.app.app_context():
        db.session.query(Membership).filter_by(user_id=world.ids["noor"]).update({"state": "muted"})
        db.session.commit()
    assert "New topic</a>" not in page(world.client("noor"), f"/g/{world.slug}")


def test_a_content_warning_shows_the_post_collapsed_behind_the_warning(world):
    client = world.client("sam")
    response = new_topic(client, world, content_warning="self-harm", body="Some days are very dark.")
    text = page(client, response.headers["Location"])
    details = re.search(r'<details class="content-warning">\s*<summary>(.*?)</summary>(.*?)</details>', text, re.S)
    assert details, "the post is inside a closed <details>"
    assert details.group(1) == "Content warning: self-harm. Show the post"
    assert "Some days are very dark." in details.group(2)
    assert '<details class="content-warning" open' not in text


def test_a_warning_that_is_not_on_the_list_is_refused(world):
    client = world.client("sam")
    before = world.counts()
    response = new_topic(client, world, content_warning="spoilers")
    assert response.status_code == 400
    assert "Choose a content warning from the list, or none." in response.get_data(as_text=True)
    assert world.counts() == before


def test_a_moderator_may_post_as_the_coach_and_a_member_may_not(world):
    ravi, sam = world.client("ravi"), world.client("sam")
    assert 'for="as_coach">Post as the group' in page(ravi, f"/g/{world.slug}/topics/new")
    new_topic(ravi, world, title="Coach here", as_coach="y")
    new_topic(sam, world, title="Pretending", as_coach="y")
    with world.app.app_context():
        coach = {post.topic.title: post.is_coach_post for post in db.session.scalars(select(Post))}
    assert coach == {"Coach here": True, "Pretending": False}


def test_a_held_topic_is_kept_for_a_moderator_and_shown_to_its_writer_only(world):
    world.set_group(premoderation="all")
    sam = world.client("sam")
    response = new_topic(sam, world, title="Waiting topic")
    assert response.status_code == 303
    assert response.headers["Location"] == f"/g/{world.slug}"
    text = page(sam, response.headers["Location"])
    assert HELD in text
    assert "Your topics waiting for a moderator" in text and "Waiting topic" in text
    assert "Waiting topic" not in page(world.client("noor"), f"/g/{world.slug}")
    with world.app.app_context():
        item = db.session.scalar(select(QueueItem))
        post = db.session.scalar(select(Post))
        assert (item.kind, item.target_type, item.target_id, post.state) == ("held", "post", post.id, "held")


# --- replies --------------------------------------------------------------------------------------------------


def test_a_reply_is_published_counted_and_announced_to_the_group_by_ids_only(world):
    topic_id = world.topic("noor")
    noor = world.client("noor")
    socket = socketio.test_client(world.app, flask_test_client=noor)
    socket.get_received()
    response = send_reply(world.client("sam"), world, topic_id, body="Earplugs and a sleep mask.")
    assert response.status_code == 303
    with world.app.app_context():
        post = db.session.scalar(select(Post).where(Post.body_source == "Earplugs and a sleep mask."))
        assert db.session.get(Topic, topic_id).reply_count == 1
    assert response.headers["Location"] == f"/g/{world.slug}/t/{topic_id}#post-{post.id}"
    events = [(event["name"], event["args"][0]) for event in socket.get_received()]
    # Noor opened the topic, so she is also told of the reply: ids and a count only.
    assert events == [("forum:post", {"topic_id": topic_id, "post_id": post.id}),
                      ("notification:new", {"count": 1, "kind": "reply"})]  # fmt: skip
    socket.disconnect()
    assert "Earplugs and a sleep mask." in page(noor, f"/g/{world.slug}/t/{topic_id}")


def test_a_reply_far_down_a_long_topic_lands_on_the_page_that_shows_it(world):
    topic_id = world.topic("noor")
    for number in range(25):
        world.reply("noor", topic_id, body=f"Reply number {number}")
    sam = world.client("sam")
    response = send_reply(sam, world, topic_id, body="The newest one")
    location = response.headers["Location"]
    assert "after=" in location
    text = page(sam, location)
    assert "The newest one" in text and "Reply number 24" in text


def test_a_held_reply_is_shown_to_its_writer_and_moderators_marked_waiting(world):
    topic_id = world.topic("ravi")
    world.set_group(premoderation="all")
    sam = world.client("sam")
    socket = socketio.test_client(world.app, flask_test_client=world.client("noor"))
    socket.get_received()
    response = send_reply(sam, world, topic_id, body="Is this allowed?")
    assert response.status_code == 303
    assert socket.get_received() == [], "a held reply is not announced"
    socket.disconnect()
    own = page(sam, response.headers["Location"])
    assert HELD in own and f'data-draft-done="{world.slug}:t{topic_id}"' in own
    assert "Is this allowed?" in own and "Waiting for a moderator" in own
    assert "Is this allowed?" in page(world.client("ravi"), f"/g/{world.slug}/t/{topic_id}")
    assert "Is this allowed?" not in page(world.client("noor"), f"/g/{world.slug}/t/{topic_id}")
    with world.app.app_context():
        assert db.session.get(Topic, topic_id).reply_count == 0


def test_a_refused_reply_shows_the_reason_and_keeps_the_text(world, monkeypatch):
    topic_id = world.topic("noor")
    monkeypatch.setattr(moderation, "screen", lambda *a, **kw: moderation.Screening(moderation.REFUSE, "Not here."))
    before = world.counts()
    response = send_reply(world.client("sam"), world, topic_id, body="My phone number is ...")
    text = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Not here." in text
    assert textarea(text) == "My phone number is ..."
    assert 'data-form-state="error"' in text and 'data-draft-done=""' in text  # the draft stays
    assert world.counts() == before


def test_a_refused_topic_shows_the_reason_and_keeps_the_input(world, monkeypatch):
    monkeypatch.setattr(moderation, "screen", lambda *a, **kw: moderation.Screening(moderation.REFUSE, "Not here."))
    response = new_topic(world.client("sam"), world, title="My title", body="My text")
    text = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Not here." in text and 'value="My title"' in text and textarea(text) == "My text"
    assert world.counts()["topics"] == 0


# --- bad input ------------------------------------------------------------------------------------------------

BAD_BODIES = [
    ("", "Write something before you send it."),
    ("   \n\t  ", "Write something before you send it."),
    ("x" * 20_001, "A post can be at most 20,000 characters; this one has 20,001."),
    ("a file\x00with a NUL", "characters that are not text"),
    ("bell \x07 and escape \x1b[31m", "characters that are not text"),
    ("broken \ufffd text", "characters that are not text"),
]


@pytest.mark.parametrize(("body", "message"), BAD_BODIES, ids=["empty", "blank", "long", "nul", "controls", "fffd"])
def test_a_bad_body_is_refused_with_a_clear_message_and_nothing_is_stored(world, body, message):
    topic_id = world.topic("noor")
    client = world.client("sam")
    before = world.counts()
    for response in (new_topic(client, world, body=body), send_reply(client, world, topic_id, body=body)):
        assert response.status_code == 400
        assert message in html.unescape(response.get_data(as_text=True))
    assert world.counts() == before


@pytest.mark.parametrize(
    ("title", "message"),
    [("", "3 to 160"), ("  a ", "3 to 160"), ("t" * 161, "3 to 160"), ("tab\x00bed", "not text")],
    ids=["empty", "short", "long", "nul"],
)
def test_a_bad_title_is_refused_and_nothing_is_stored(world, title, message):
    before = world.counts()
    response = new_topic(world.client("sam"), world, title=title)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert world.counts() == before


def test_text_that_is_not_valid_utf8_is_refused(world):
    """The forms post multipart: bytes that are not UTF-8 arrive as U+FFFD, and are refused, not stored."""
    client = world.client("sam")
    token = csrf_token(client, f"/g/{world.slug}/topics/new")
    fields = {
        "csrf_token": token.encode(),
        "title": b"Hello there",
        "body": b"\xff\xfenot text",
        "content_warning": b"",
    }
    raw = b"".join(
        b'--kring\r\nContent-Disposition: form-data; name="%s"\r\n\r\n%s\r\n' % (name.encode(), value)
        for name, value in fields.items()
    )
    response = client.post(
        f"/g/{world.slug}/topics/new", data=raw + b"--kring--\r\n", content_type="multipart/form-data; boundary=kring"
    )
    assert response.status_code == 400
    assert "characters that are not text" in response.get_data(as_text=True)
    assert world.counts()["topics"] == 0


def test_html_and_script_stay_visible_text(world):
    client = world.client("sam")
    body = '<script>alert(1)</script> <img src=x onerror="alert(2)"> [link](javascript:alert(3))'
    response = new_topic(client, world, title="<b>Bold</b> <script>x</script>", body=body)
    text = page(client, response.headers["Location"])
    assert "<script>alert(1)</script>" not in text and "<script>x</script>" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "&lt;img src=x" in text and "<img" not in text
    assert "javascript:" not in text.split('class="posts"')[1].split("</ol>")[0].replace("javascript:alert(3)", "")
    assert '<h1 dir="auto">&lt;b&gt;Bold&lt;/b&gt; &lt;script&gt;x&lt;/script&gt;</h1>' in text


def test_replying_to_an_unknown_removed_or_foreign_topic_answers_404(world):
    removed = world.topic("noor", title="Removed one")
    with world.app.app_context():
        db.session.get(Topic, removed).state = "removed"
        db.session.commit()
    foreign = _topic_in_other_group(world)
    client = world.client("sam")
    before = world.counts()
    token = csrf_token(client, f"/g/{world.slug}/topics/new")
    for topic_id in (999_999, removed, foreign, 2**40):
        response = client.post(f"/g/{world.slug}/t/{topic_id}/reply", data={"body": "Hi", "csrf_token": token})
        assert response.status_code == 404, topic_id
    assert world.counts() == before
    assert client.get(f"/g/{world.slug}/t/{removed}").status_code == 404


def _topic_in_other_group(world: World) -> int:
    from community.auth.models import User
    from community.forum import writing
    from community.groups import services as groups

    with world.app.app_context():
        otto = db.session.get(User, world.ids["otto"])
        result = writing.create_topic(otto, groups.open_group(otto, world.other_slug), title="Elsewhere", body="Hi")
        db.session.commit()
        return result.topic.id


def test_writing_in_a_group_one_is_not_in_answers_404(world):
    otto = world.client("otto")
    assert otto.get(f"/g/{world.slug}/topics/new").status_code == 404
    token = csrf_token(otto, f"/g/{world.other_slug}/topics/new")
    response = otto.post(f"/g/{world.slug}/topics/new", data={"title": "Hello", "body": "x", "csrf_token": token})
    assert response.status_code == 404
    assert world.counts()["topics"] == 0


def test_an_archived_group_says_so_and_stores_nothing(world):
    topic_id = world.topic("noor")
    world.set_group(state="archived")
    sam = world.client("sam")
    archived = "This group is archived: you can read it, but nobody can write in it any more."
    form_page = page(sam, f"/g/{world.slug}/topics/new")
    assert archived in form_page and 'name="body"' not in form_page
    topic_page = page(sam, f"/g/{world.slug}/t/{topic_id}")
    assert archived in topic_page and 'name="body"' not in topic_page
    assert "New topic</a>" not in page(sam, f"/g/{world.slug}")
    before = world.counts()
    token = csrf_token(sam, f"/g/{world.slug}/t/{topic_id}")
    for url, data in (
        (f"/g/{world.slug}/topics/new", {"title": "Still here?", "body": "Hello"}),
        (f"/g/{world.slug}/t/{topic_id}/reply", {"body": "Hello"}),
    ):
        response = sam.post(url, data={**data, "csrf_token": token})
        assert response.status_code == 400
        assert archived in response.get_data(as_text=True)
    assert world.counts() == before


# --- quoting --------------------------------------------------------------------------------------------------


def test_quote_prefills_the_reply_box_with_the_quoted_text_and_its_writer(world):
    topic_id = world.topic("noor", body="First line\n\nSecond *line*")
    with world.app.app_context():
        post_id = db.session.scalar(select(Post.id).where(Post.topic_id == topic_id))
    sam = world.client("sam")
    text = page(sam, f"/g/{world.slug}/t/{topic_id}")
    assert f"quote={post_id}#reply" in text and 'data-quote-author="Noor"' in text
    quoted = textarea(page(sam, f"/g/{world.slug}/t/{topic_id}?quote={post_id}"))
    assert quoted == "Noor wrote:\n> First line\n>\n> Second *line*\n\n"
    assert textarea(page(sam, f"/g/{world.slug}/t/{topic_id}?quote=999999")) == ""
    assert textarea(page(sam, f"/g/{world.slug}/t/{topic_id}?quote=nonsense")) == ""


def test_a_held_post_cannot_be_quoted(world):
    topic_id = world.topic("ravi")
    world.set_group(premoderation="all")
    held_id = world.reply("noor", topic_id, body="Waiting")
    assert textarea(page(world.client("sam"), f"/g/{world.slug}/t/{topic_id}?quote={held_id}")) == ""


# --- editing --------------------------------------------------------------------------------------------------


def edit(client, world: World, post_id: int, **data):
    url = f"/g/{world.slug}/posts/{post_id}/edit"
    return post_form(client, url, {"content_warning": "", **data})


def first_post(world: World, topic_id: int) -> int:
    with world.app.app_context():
        return db.session.scalar(select(Post.id).where(Post.topic_id == topic_id).order_by(Post.id))


def test_a_writer_edits_their_post_and_the_old_text_is_kept(world):
    topic_id = world.topic("sam", body="Old **words**")
    post_id = first_post(world, topic_id)
    sam = world.client("sam")
    form = page(sam, f"/g/{world.slug}/posts/{post_id}/edit")
    assert textarea(form) == "Old **words**" and 'value="Sleeping in hospital"' in form
    response = edit(sam, world, post_id, title="Sleeping at home", body="New <b>words</b>")
    assert response.status_code == 303
    with world.app.app_context():
        post = db.session.get(Post, post_id)
        assert post.body_source == "New <b>words</b>"
        assert post.body_html == "<p>New &lt;b&gt;words&lt;/b&gt;</p>\n"
        assert post.edited_at is None, "nobody had answered yet"
        assert post.topic.title == "Sleeping at home"
        assert [r.body_source for r in db.session.scalars(select(PostRevision))] == ["Old **words**"]
    saved = page(sam, response.headers["Location"])
    assert "Your changes are saved." in saved and f'data-draft-done="{world.slug}:e{post_id}"' in saved


def test_an_edit_after_others_answered_shows_edited(world):
    topic_id = world.topic("sam")
    post_id = first_post(world, topic_id)
    world.reply("noor", topic_id)
    edit(world.client("sam"), world, post_id, title="Sleeping in hospital", body="Changed after an answer")
    text = page(world.client("noor"), f"/g/{world.slug}/t/{topic_id}")
    assert '<span class="post__edited">(edited)</span>' in text


def test_an_edit_that_changes_nothing_keeps_no_revision(world):
    topic_id = world.topic("sam", body="Same")
    post_id = first_post(world, topic_id)
    response = edit(world.client("sam"), world, post_id, title="Sleeping in hospital", body="Same")
    assert response.status_code == 303
    assert world.counts()["post_revisions"] == 0


def test_an_edit_goes_through_the_screen_and_may_be_held(world, monkeypatch):
    topic_id = world.topic("sam")
    reply_id = world.reply("sam", topic_id, body="Before")
    kinds = []

    def hold(actor, group, membership, text, *, kind, **_options):
        kinds.append(kind)
        return moderation.Screening(moderation.HOLD, "Checked first.")

    monkeypatch.setattr(moderation, "screen", hold)
    sam = world.client("sam")
    response = edit(sam, world, reply_id, body="After")
    assert kinds == ["edit"]
    text = page(sam, response.headers["Location"])
    assert HELD in text and "After" in text and "Waiting for a moderator" in text
    with world.app.app_context():
        assert db.session.get(Post, reply_id).state == "held"
        assert db.session.get(Topic, topic_id).reply_count == 0
        assert db.session.scalar(select(QueueItem.target_id)) == reply_id


def test_a_refused_edit_keeps_the_input_and_the_old_text(world, monkeypatch):
    topic_id = world.topic("sam", body="Before")
    post_id = first_post(world, topic_id)
    monkeypatch.setattr(moderation, "screen", lambda *a, **kw: moderation.Screening(moderation.REFUSE, "Not here."))
    response = edit(world.client("sam"), world, post_id, title="Sleeping in hospital", body="After")
    assert response.status_code == 400
    assert "Not here." in response.get_data(as_text=True) and textarea(response.get_data(as_text=True)) == "After"
    with world.app.app_context():
        assert db.session.get(Post, post_id).body_source == "Before"
    assert world.counts()["post_revisions"] == 0


def test_a_bad_edit_is_refused_and_stores_nothing(world):
    topic_id = world.topic("sam", body="Before")
    post_id = first_post(world, topic_id)
    for body in ("", "x" * 20_001, "nul\x00"):
        response = edit(world.client("sam"), world, post_id, title="Sleeping in hospital", body=body)
        assert response.status_code == 400
    with world.app.app_context():
        assert db.session.get(Post, post_id).body_source == "Before"
    assert world.counts()["post_revisions"] == 0


def test_a_member_cannot_edit_someone_elses_post(world):
    post_id = first_post(world, world.topic("noor"))
    sam = world.client("sam")
    assert sam.get(f"/g/{world.slug}/posts/{post_id}/edit").status_code == 403
    token = csrf_token(sam, f"/g/{world.slug}/topics/new")
    response = sam.post(f"/g/{world.slug}/posts/{post_id}/edit", data={"body": "Mine now", "csrf_token": token})
    assert response.status_code == 403
    assert world.counts()["post_revisions"] == 0
    assert f"/posts/{post_id}/edit" not in page(sam, f"/g/{world.slug}/t/{first_topic(world)}")
    assert world.client("otto").get(f"/g/{world.slug}/posts/{post_id}/edit").status_code == 404
    assert sam.get(f"/g/{world.slug}/posts/999999/edit").status_code == 404


def first_topic(world: World) -> int:
    with world.app.app_context():
        return db.session.scalar(select(Topic.id).order_by(Topic.id))


def test_a_moderator_edits_a_members_post_audited_and_sees_the_history(world):
    topic_id = world.topic("noor", body="My number is 06-12345678")
    post_id = first_post(world, topic_id)
    ravi = world.client("ravi")
    assert f"/posts/{post_id}/edit" in page(ravi, f"/g/{world.slug}/t/{topic_id}")
    response = edit(ravi, world, post_id, title="Sleeping in hospital", body="[number removed by a moderator]")
    assert response.status_code == 303
    with world.app.app_context():
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "post.edited"))
        assert (entry.actor_id, entry.target_type, entry.target_id, entry.group_id) == (
            world.ids["ravi"],
            "post",
            post_id,
            world.group_id,
        )
        assert entry.details == {"topic_id": topic_id, "author_id": world.ids["noor"], "title_changed": False}
        assert "06-12345678" not in str(entry.payload()), "the audit log keeps ids, never member text"
        assert db.session.get(Post, post_id).edited_at is not None, "changed by someone else: marked edited"
    topic_page = page(ravi, f"/g/{world.slug}/t/{topic_id}")
    assert f"/posts/{post_id}/revisions" in topic_page
    history = page(ravi, f"/g/{world.slug}/posts/{post_id}/revisions")
    assert "My number is 06-12345678" in history and "Changed by Ravi" in history


def test_only_moderators_see_earlier_versions(world):
    topic_id = world.topic("sam", body="<script>alert(1)</script>")
    post_id = first_post(world, topic_id)
    edit(world.client("sam"), world, post_id, title="Sleeping in hospital", body="Better")
    sam = world.client("sam")
    assert sam.get(f"/g/{world.slug}/posts/{post_id}/revisions").status_code == 404
    assert f"/posts/{post_id}/revisions" not in page(sam, f"/g/{world.slug}/t/{topic_id}")
    assert world.client("otto").get(f"/g/{world.slug}/posts/{post_id}/revisions").status_code == 404
    history = page(world.client("ravi"), f"/g/{world.slug}/posts/{post_id}/revisions")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in history and "<script>alert(1)" not in history


def test_a_moderators_own_edit_is_not_audited(world):
    post_id = first_post(world, world.topic("ravi"))
    edit(world.client("ravi"), world, post_id, title="Sleeping in hospital", body="Typo fixed")
    with world.app.app_context():
        assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "post.edited")) is None
