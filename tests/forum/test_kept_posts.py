"""The topic page's kept HTML (core.fragments, used by forum.topic_view): every kept template reads nothing but
what its caller gives it, and each reader's own bits (reactions, "Edit", "Report", the CSRF token, collapsing)
go into named holes, so reformatting a template cannot silently lose them."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from flask import Flask
from jinja2 import ChoiceLoader, DictLoader

from community.auth.models import User
from community.core import fragments
from community.extensions import db
from community.forum import reactions, writing
from community.forum.page_cache import page_cache
from community.forum.warning_preferences import set_collapsed_warnings
from community.groups.services import open_group
from community.moderation.safety import set_relation
from tests.factories import add_to_group, make_group, make_user, sign_in


@dataclass(frozen=True)
class World:
    slug: str
    topic_id: int
    post_id: int
    warned_id: int


@pytest.fixture
def world(app: Flask) -> World:
    """sam opened a topic; noor replied with a content warning; sam reacted "hug" to noor's reply."""
    with app.app_context():
        admin = make_user("boss", admin=True)
        group = make_group(admin, "Parents")
        sam, noor = make_user("sam"), make_user("noor")
        for person in (sam, noor):
            add_to_group(admin, group, person)
        opened = writing.create_topic(sam, open_group(sam, group.slug), title="Night shifts", body="How do you cope?")
        warned = writing.reply(
            noor, open_group(noor, group.slug), opened.topic.id, body="Hard.", content_warning="loss"
        )
        reactions.set_reaction(sam, open_group(sam, group.slug), warned.post.id, "hug", on=True)
        db.session.commit()
        return World(group.slug, opened.topic.id, opened.post.id, warned.post.id)


def _page(app: Flask, name: str, world: World, query: str = "") -> str:
    client = app.test_client()
    sign_in(client, name)
    return client.get(f"/g/{world.slug}/t/{world.topic_id}{query}").get_data(as_text=True)


def _request_names(app: Flask) -> set[str]:
    """What the app's context processors give every ordinary page (all of it request-bound or per person)."""
    with app.test_request_context("/"):
        context: dict = {}
        app.update_template_context(context)
    return set(context)


def _reaction_button(html: str, post_id: int, kind: str) -> tuple[str, str]:
    """(the form's ``on`` value, ``aria-pressed``) of one reaction button, whatever the attributes' layout. The
    buttons are in the post's actions menu, in its footer."""
    block = html.split(f'id="post-{post_id}"', 1)[1].split("</article>", 1)[0]
    (form,) = [form for form in block.split("</form>") if re.search(rf'name="kind"\s+value="{kind}"', form)]
    on = re.search(r'name="on"\s+value="(\d)"', form).group(1)
    pressed = re.search(r'aria-pressed="(\w+)"', form).group(1)
    return on, pressed


def test_every_kept_template_reads_only_what_its_caller_gives(app: Flask, world: World) -> None:
    fragments.CUT_TEMPLATES.clear()
    _page(app, "sam", world)
    _page(app, "noor", world, f"?quote={world.post_id}")
    client = app.test_client()
    sign_in(client, "sam")
    client.get(f"/g/{world.slug}/t/{world.topic_id}/posts?after=0")
    client.get("/login")
    kept = set(fragments.CUT_TEMPLATES)
    assert {"forum/_posts_fragment.html", "forum/_reply_form.html", "_navigation.html",
            "accessibility/_display_panel.html", "accessibility/_language_picker.html"} <= kept  # fmt: skip
    request_names = _request_names(app)
    reads = {
        template: fragments.unkept_reads(app.jinja_env, template, given, request_names)
        for template, given in fragments.CUT_TEMPLATES.items()
    }
    assert reads == {template: set() for template in kept}


def test_the_check_finds_a_kept_template_that_reads_the_request(app: Flask) -> None:
    """At run time the request-bound names raise; a macro imported without context escapes that guard, and
    the template walk (jinja2.meta) finds it."""
    app.jinja_env.loader = ChoiceLoader([DictLoader({
        "t/user.html": "<p>{{ current_user.display_name }}</p>",
        "t/token.html": '<input value="{{ csrf_token() }}">',
        "t/config.html": "{% if config.DEBUG %}debug{% endif %}",
        "t/macro.html": '{% from "t/lib.html" import who %}{{ who() }}',
        "t/lib.html": "{% macro who() %}{{ session.get('name') }}{% endmacro %}",
        "t/fine.html": '{{ _("Hello") }} {{ name }} <input value="{{ csrf }}"> {{ hole("x", "d") }}',
    }), app.jinja_env.loader])  # fmt: skip
    with app.test_request_context("/"):
        for template in ("t/user.html", "t/token.html", "t/config.html"):
            with pytest.raises(fragments.UnkeptRead):
                fragments.cut(template)
        found = {
            name: fragments.unkept_reads(app.jinja_env, name, ())
            for name in ("t/user.html", "t/token.html", "t/config.html", "t/macro.html")
        }
        assert found == {"t/user.html": {"current_user"}, "t/token.html": {"csrf_token"},
                         "t/config.html": {"config"}, "t/macro.html": {"session"}}  # fmt: skip
        assert fragments.unkept_reads(app.jinja_env, "t/fine.html", ("name", "csrf")) == set()
        filled = fragments.cut("t/fine.html", ("csrf",), name="<b>").fill({"csrf": '"t"', "x": "<i>"})
        assert str(filled) == 'Hello &lt;b&gt; <input value="&#34;t&#34;"> &lt;i&gt;'


def test_each_reader_gets_their_own_bits_on_the_same_kept_posts(app: Flask, world: World) -> None:
    sam, noor = _page(app, "sam", world), _page(app, "noor", world)
    assert _reaction_button(sam, world.warned_id, "hug") == ("0", "true")
    assert _reaction_button(noor, world.warned_id, "hug") == ("1", "false")
    assert _reaction_button(sam, world.warned_id, "strength") == ("1", "false")
    # "Edit" on one's own post, "Report" on the others'
    assert sam.count(">Edit<") == 1 and noor.count(">Edit<") == 1
    assert f"/moderation/report/post/{world.post_id}" not in sam and f"/moderation/report/post/{world.warned_id}" in sam
    tokens = {name: set(re.findall(r'name="csrf_token" value="([^"]+)"', html)) for name, html in
              (("sam", sam), ("noor", noor))}  # fmt: skip
    assert len(tokens["sam"]) == 1 and len(tokens["noor"]) == 1 and tokens["sam"] != tokens["noor"]
    assert not re.search(r"kring[0-9a-f]{16}h", sam)  # no marker left behind


def test_muting_and_kept_warnings_wrap_the_post_with_its_reactions(app: Flask, world: World) -> None:
    with app.app_context():
        sam = db.session.scalar(db.select(User).filter_by(username="sam"))
        noor_id = db.session.scalar(db.select(User.id).filter_by(username="noor"))
        set_relation(sam, noor_id, "mute", on=True)
        set_collapsed_warnings(sam, ["loss"])
        db.session.commit()
    page_cache(app).clear()
    html = _page(app, "sam", world)
    post = html.split(f'id="post-{world.warned_id}"', 1)[1].split('<footer class="post__actions">', 1)[0]
    muted, kept = post.index('class="post-muted"'), post.index("content-warning--kept")
    assert muted < kept < post.index('class="post__body"') < post.index('class="reactions"')
    assert post.count("<details") == post.count("</details>") == 3  # muted, kept, "who reacted"
    assert 'class="content-warning">' not in post  # the ordinary warning is replaced by the kept one


def test_the_mine_marking_survives_a_reformatted_reactions_template(app: Flask, world: World) -> None:
    """The reader's own reactions are holes in the template, not a search for exact markup. (The reaction
    buttons are in the post's actions menu.)"""
    loader = app.jinja_env.loader
    source = loader.get_source(app.jinja_env, "forum/_post_menu.html")[0]
    reformatted = source.replace('" data-reaction-on>', '"\n        data-reaction-on\n      >').replace(
        '<button type="submit" class="reaction" aria-pressed=', "<button\n  class='reaction' type=submit aria-pressed="
    )
    assert reformatted != source
    app.jinja_env.loader = ChoiceLoader([DictLoader({"forum/_post_menu.html": reformatted}), loader])
    app.jinja_env.cache.clear()
    html = _page(app, "sam", world)
    assert "type=submit" in html
    assert _reaction_button(html, world.warned_id, "hug") == ("0", "true")
    assert _reaction_button(html, world.warned_id, "me_too") == ("1", "false")


def test_a_post_is_writer_time_and_text_with_every_action_in_one_menu_that_works_without_javascript(
    app: Flask, world: World
) -> None:
    """The actions menu is part of the kept post: a <details> holding the ordinary links and forms, with the
    reader's own bits (pressed reactions, "Edit", no "Report" on their own post) filled in its holes."""
    html = _page(app, "sam", world)
    post = html.split(f'id="post-{world.warned_id}"', 1)[1].split("</article>", 1)[0]
    assert f'<bdi id="post-{world.warned_id}-author" class="post__author">Noor</bdi>' in post
    assert '<div class="post__body" dir="auto" data-quote-source>' in post
    footer = post.split('<footer class="post__actions">', 1)[1]
    assert footer.count("<details") == 1 and footer.count("<summary") == 1
    assert re.search(r'<span class="visually-hidden">Actions for the post by Noor, [^<]+</span></summary>', footer)
    menu = footer.split("data-action-menu-list>", 1)[1]
    assert menu.count('class="reaction-form"') == 4  # the four reactions, each its own form
    assert f"quote={world.warned_id}" in menu and f"/moderation/report/post/{world.warned_id}" in menu
    assert f"/posts/{world.warned_id}/worried" in menu and "<li data-read-aloud-slot hidden></li>" in menu
    assert "/edit" not in menu  # not sam's post
    # The counts stay under the text, small; a kind nobody gave is there for live updates but hidden.
    counts = post.split('<ul class="reactions__counts"', 1)[1].split("</ul>", 1)[0]
    assert re.search(r'<li data-reaction-item="hug">Hug <span data-reaction-count data-kind="hug">1</span>', counts)
    assert '<li data-reaction-item="me_too" hidden>' in counts
    own = html.split(f'id="post-{world.post_id}"', 1)[1].split("</article>", 1)[0]
    own_menu = own.split("data-action-menu-list>", 1)[1]
    assert f"/posts/{world.post_id}/edit" in own_menu and "/moderation/report/" not in own_menu
