"""Searching the forum: only one's own groups, only published posts, safe snippets, and user input that is
never query syntax. Every test runs on SQLite (FTS5) and PostgreSQL (full-text search)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select, update

from community.auth.models import User
from community.extensions import db
from community.forum import editing, search, writing
from community.forum.models import Post, Topic
from community.groups import services as groups
from community.groups.models import Membership
from tests.forum.writing_world import World, build_world


@pytest.fixture
def world(db_app) -> World:
    return build_world(db_app)


def find(client, query: str, **params) -> tuple[int, str]:
    response = client.get("/search", query_string={"q": query, **params})
    return response.status_code, response.get_data(as_text=True)


def result_links(html: str) -> list[str]:
    return re.findall(r'<h2 class="search-result__title">\s*<a href="([^"]+)"', html)


def user(world: World, username: str) -> User:
    return db.session.get(User, world.ids[username])


def other_group_topic(world: World, title: str, body: str) -> int:
    """A topic in the other group (Parents), written by otto."""
    with world.app.app_context():
        otto = user(world, "otto")
        result = writing.create_topic(otto, groups.open_group(otto, world.other_slug), title=title, body=body)
        db.session.commit()
        return result.post.id


def set_post_state(world: World, post_id: int, state: str) -> None:
    with world.app.app_context():
        db.session.execute(update(Post).where(Post.id == post_id).values(state=state))
        db.session.commit()


# --- finding -----------------------------------------------------------------------------------------------


def test_a_member_finds_a_published_post_of_their_group_with_the_word_marked(world):
    topic_id = world.topic("sam", title="Sleeping in hospital", body="The nights are long.")
    reply_id = world.reply("noor", topic_id, body="Earplugs and an eye mask help me sleep.")
    status, html = find(world.client("sam"), "earplugs")
    assert status == 200
    assert result_links(html) == [f"/g/{world.slug}/t/{topic_id}?after={reply_id - 1}#post-{reply_id}"]
    assert "<mark>Earplugs</mark> and an eye mask help me sleep." in html
    assert "Sleeping in hospital" in html and "Young people" in html and "Noor" in html


def test_words_match_their_beginning_and_every_word_must_be_there(world):
    topic_id = world.topic("sam", body="Hugs to everyone waiting for results.")
    world.reply("noor", topic_id, body="Waiting is the hardest part.")
    client = world.client("sam")
    assert len(result_links(find(client, "hug")[1])) == 1  # "hug" finds "Hugs"
    assert len(result_links(find(client, "waiting")[1])) == 2
    assert len(result_links(find(client, "waiting hardest")[1])) == 1
    assert result_links(find(client, "waiting giraffe")[1]) == []


def test_a_topic_title_finds_the_topic_s_first_post_only(world):
    topic_id = world.topic("sam", title="Scholarship applications", body="Who applied this year?")
    world.reply("noor", topic_id, body="I did, last month.")
    links = result_links(find(world.client("noor"), "scholarship")[1])
    assert len(links) == 1 and links[0].endswith(f"/t/{topic_id}#post-{_first_post(world, topic_id)}")


def _first_post(world: World, topic_id: int) -> int:
    with world.app.app_context():
        return db.session.scalar(select(Post.id).where(Post.topic_id == topic_id).order_by(Post.id).limit(1))


def test_an_edit_changes_what_is_found_including_a_new_title(world):
    topic_id = world.topic("sam", title="Old title words", body="Original wording here.")
    post_id = _first_post(world, topic_id)
    with world.app.app_context():
        sam = user(world, "sam")
        access = groups.open_group(sam, world.slug)
        editing.edit_post(sam, access, post_id, body="Completely rephrased.", title="Fresh heading")
        db.session.commit()
    client = world.client("sam")
    assert result_links(find(client, "original")[1]) == []
    assert result_links(find(client, "old title")[1]) == []
    assert len(result_links(find(client, "rephrased")[1])) == 1
    assert len(result_links(find(client, "fresh heading")[1])) == 1


def test_results_are_paginated_twenty_to_a_page(world):
    topic_id = world.topic("sam", body="Appointment day.")
    for number in range(24):
        world.reply("noor", topic_id, body=f"Appointment note {number}.")
    client = world.client("sam")
    first = find(client, "appointment")[1]
    assert len(result_links(first)) == search.RESULTS_PER_PAGE
    assert 'rel="next"' in first
    second = find(client, "appointment", page=2)[1]
    assert len(result_links(second)) == 5 and 'rel="prev"' in second and 'rel="next"' not in second
    assert set(result_links(first)).isdisjoint(result_links(second))


# --- what is never found -----------------------------------------------------------------------------------


def test_results_never_include_a_group_the_searcher_is_not_in(world):
    other_group_topic(world, "Parents only", "Pancreas transplant waiting list.")
    world.topic("sam", body="Nothing about that here.")
    for username in ("sam", "ravi"):
        status, html = find(world.client(username), "pancreas")
        assert status == 200 and result_links(html) == []
        assert "Parents only" not in html
    assert len(result_links(find(world.client("otto"), "pancreas")[1])) == 1


def test_choosing_a_group_one_is_not_in_answers_not_found(world):
    status, _html = find(world.client("sam"), "anything", group=world.other_slug)
    assert status == 404
    status, _html = find(world.client("sam"), "anything", group="no-such-group")
    assert status == 404


def test_the_service_ignores_group_ids_the_searcher_cannot_read(world):
    other_group_topic(world, "Parents only", "Pancreas transplant waiting list.")
    with world.app.app_context():
        otto_group = db.session.scalar(select(Topic.group_id).where(Topic.title == "Parents only"))
        page = search.search_posts(user(world, "sam"), "pancreas", [otto_group, world.group_id], 1)
        assert page.results == []


def test_a_suspended_membership_s_group_is_not_searched(world):
    world.topic("noor", body="Ventilator settings explained.")
    with world.app.app_context():
        db.session.execute(
            update(Membership)
            .where(Membership.user_id == world.ids["sam"], Membership.group_id == world.group_id)
            .values(state="suspended")
        )
        db.session.commit()
    status, html = find(world.client("sam"), "ventilator")
    assert status == 200 and result_links(html) == []


def test_posts_that_are_not_published_are_never_found(world):
    topic_id = world.topic("sam", body="Visible opening.")
    reply_id = world.reply("noor", topic_id, body="Tracheostomy care tips.")
    clients = [world.client(username) for username in ("sam", "noor", "ravi")]  # writer and moderator too
    for state in ("held", "refused", "hidden", "removed"):
        set_post_state(world, reply_id, state)
        for client in clients:
            assert result_links(find(client, "tracheostomy")[1]) == [], state
    set_post_state(world, reply_id, "published")
    assert len(result_links(find(clients[0], "tracheostomy")[1])) == 1


def test_a_post_held_by_pre_moderation_is_not_found(world):
    world.set_group(premoderation="all")
    world.topic("sam", title="Held for checking", body="Gastrostomy question.")
    for username in ("sam", "ravi"):
        assert result_links(find(world.client(username), "gastrostomy")[1]) == []


def test_a_hidden_topic_hides_its_posts(world):
    topic_id = world.topic("sam", body="Dialysis schedule.")
    with world.app.app_context():
        db.session.execute(update(Topic).where(Topic.id == topic_id).values(state="removed"))
        db.session.commit()
    assert result_links(find(world.client("sam"), "dialysis")[1]) == []


def test_a_deleted_post_disappears_from_search(world):
    topic_id = world.topic("sam", body="Opening words.")
    reply_id = world.reply("noor", topic_id, body="Hydrotherapy helped my knees.")
    client = world.client("sam")
    assert len(result_links(find(client, "hydrotherapy")[1])) == 1
    with world.app.app_context():
        db.session.delete(db.session.get(Post, reply_id))
        db.session.commit()
    assert result_links(find(client, "hydrotherapy")[1]) == []


def test_a_deleted_topic_takes_its_posts_out_of_search(world):
    topic_id = world.topic("sam", body="Physiotherapy exercises.")
    world.reply("noor", topic_id, body="Physiotherapy at home too.")
    with world.app.app_context():
        db.session.delete(db.session.get(Topic, topic_id))
        db.session.commit()
    assert result_links(find(world.client("sam"), "physiotherapy")[1]) == []


# --- input that is not a search, and input that looks like query syntax -----------------------------------------


NOT_A_SEARCH = [
    ("", "Type one or more words to search for."),
    ("   ", "Type one or more words to search for."),
    ("x" * 201, "A search can be at most 200 characters."),
    ("?!* -- \"\" ''' () :: ^", "punctuation alone finds nothing"),
]


def test_a_search_with_nothing_to_look_for_or_too_long_says_so(world):
    client = world.client("sam")
    for query, message in NOT_A_SEARCH:
        status, html = find(client, query)
        assert status == 400, query
        assert message in html, query
        assert 'aria-invalid="true"' in html


def test_the_search_page_without_a_query_shows_the_form(world):
    response = world.client("sam").get("/search")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<h1>Search in your groups</h1>" in html and 'name="q"' in html and "search-result" not in html


SYNTAX_QUERIES = [
    '"unbalanced quote',
    "sleep*",
    "NEAR(sleep night)",
    "sleep NEAR night",
    "-sleep",
    "sleep -night",
    "sleep OR",
    "AND NOT OR",
    "body:sleep",
    "{body title}: sleep",
    "(sleep",
    "sleep)",
    "sleep & | ! night",
    "sleep:*",
    "'sleep'",
    "sleep <-> night",
    "\\sleep",
    "^sleep",
    "sleep + night",
    "ﬁsh ＳＬＥＥＰ",
    "ノート sleep",
]


def test_query_syntax_in_a_search_is_only_text(world):
    topic_id = world.topic("sam", title="Nights", body="Sleep at night is hard on the ward.")
    world.reply("noor", topic_id, body="Sleep comes easier with music.")
    client = world.client("sam")
    for query in SYNTAX_QUERIES:
        status, html = find(client, query)
        assert status == 200, (query, html[:300])
        assert "Something went wrong" not in html
    # Words around the syntax still count: "sleep" is found whatever surrounds it.
    assert len(result_links(find(client, '"sleep* -night')[1])) == 1


def test_operator_words_are_searched_as_words(world):
    world.topic("sam", title="Words", body="We sat NEAR the window, AND NOT by the door OR the hall.")
    assert len(result_links(find(world.client("sam"), "near and not or")[1])) == 1


# --- safe snippets -------------------------------------------------------------------------------------------


def test_a_snippet_is_escaped_text_with_only_our_mark_tags(world):
    body = (
        'Tip: <script>alert("x")</script> <img src=x onerror=alert(1)> **bold** [link](javascript:alert(1)) melatonin'
    )
    world.topic("sam", title="Tips", body=body)
    html = find(world.client("sam"), "melatonin")[1]
    snippet = re.search(r'<p class="search-result__snippet" dir="auto">(.*?)</p>', html, re.S).group(1)
    assert "<script" not in snippet and "<img" not in snippet and "javascript:" not in snippet
    assert "&lt;script&gt;" in snippet and "<mark>melatonin</mark>" in snippet
    assert re.sub(r"</?mark>", "", snippet).count("<") == 0


def test_the_matched_words_of_a_title_are_marked_and_the_title_is_escaped(world):
    world.topic("sam", title="<b>Sleep</b> *tips* & tricks", body="Nothing here.")
    html = find(world.client("sam"), "sleep")[1]
    assert "&lt;b&gt;<mark>Sleep</mark>&lt;/b&gt; *tips* &amp; tricks</a>" in html


def test_a_snippet_of_a_long_post_shows_the_part_around_the_match():
    highlight = search._highlighter(("zebra",))
    source = "word " * 300 + "a zebra crossing " + "word " * 300
    snippet = search.snippet(source, highlight)
    assert snippet.startswith("… ") and snippet.endswith(" …")
    assert "<mark>zebra</mark>" in snippet and len(snippet) < search.SNIPPET_CHARS + 40


# --- the engines' schema objects ----------------------------------------------------------------------------


def test_installing_search_is_idempotent_and_indexes_posts_written_before_it(world):
    topic_id = world.topic("sam", body="Before the index existed: audiology.")
    with world.app.app_context():
        connection = db.session.connection()
        search.uninstall_search(connection)
        db.session.execute(update(Post).where(Post.topic_id == topic_id).values(body_source="Audiology appointment."))
        search.install_search(connection)
        search.install_search(connection)
        db.session.commit()
    links = result_links(find(world.client("sam"), "audiology")[1])
    assert links == [f"/g/{world.slug}/t/{topic_id}#post-{_first_post(world, topic_id)}"]


def test_autogenerate_leaves_the_search_objects_alone():
    assert not search.include_name("posts_fts", "table", {})
    assert not search.include_name("posts_fts_data", "table", {})
    assert not search.include_name("ix_posts_search", "index", {})
    assert not search.include_name("search_vector", "column", {"table_name": "posts"})
    assert search.include_name("body_source", "column", {"table_name": "posts"})
    assert search.include_name("posts", "table", {})
    assert search.include_name("post_images", "table", {})
