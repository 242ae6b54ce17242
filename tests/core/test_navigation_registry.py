"""The navigation is a registry (core/layout.py) that each feature fills from its wiring: core names no feature.
Every feature's entry is there, in order, and each shows only to whom it should."""

from __future__ import annotations

import re

from flask import Flask

from community.core import layout
from community.extensions import db
from community.groups.models import Membership
from tests.factories import add_to_group, make_group, make_user, sign_in

EXPECTED = [  # (name, endpoint): the order members see
    ("home", "groups.home"),
    ("notifications", "notifications.inbox"),
    ("chat", "chat.conversations_page"),
    ("professionals", "professionals.browse_page"),
    ("search", "forum.search_page"),
    ("help", "safeguarding.help_page"),
    ("account", "auth.profile_edit"),
    ("moderation", "moderation.queue_all"),
    ("insight", "insight.overview"),
    ("admin", "admin.overview"),
]
EVERYONE = ["/", "/notifications", "/conversations", "/professionals", "/search", "/help", "/account/profile"]


def _links(html: str) -> list[str]:
    nav = re.search(r'<nav aria-label="Main">.*?</nav>', html, re.S)
    assert nav, "no navigation on the page"
    return re.findall(r'<li><a href="([^"]+)"', nav.group(0))


def test_every_feature_registers_its_entry_from_its_wiring(app: Flask) -> None:
    assert [(entry.name, entry.endpoint) for entry in layout.entries()] == EXPECTED
    with app.test_request_context():
        assert all(str(entry.label) for entry in layout.entries())


def test_each_entry_shows_only_to_whom_it_should(app: Flask) -> None:
    with app.app_context():
        admin = make_user("boss", admin=True)
        group = make_group(admin, "Parents")
        sam, mona, muted_mod = make_user("sam"), make_user("mona"), make_user("milo")
        add_to_group(admin, group, sam)
        add_to_group(admin, group, mona, role="moderator")
        add_to_group(admin, group, muted_mod, role="moderator")
        db.session.query(Membership).filter_by(user_id=muted_mod.id).update({"state": "muted"})
        db.session.commit()
    links = {}
    for name in ("sam", "mona", "milo", "boss"):
        client = app.test_client()
        sign_in(client, name)
        links[name] = _links(client.get("/help").get_data(as_text=True))

    assert links["sam"] == EVERYONE, "a member: no moderation, insight or admin"
    assert links["mona"] == [*EVERYONE, "/moderation/", "/insight"], "an active moderator"
    assert links["milo"] == [*EVERYONE, "/insight"], "a muted moderator sees insight, not the queue"
    assert links["boss"] == [*EVERYONE, "/moderation/", "/insight", "/admin/"], "an admin sees everything"


def test_an_entry_a_feature_registers_is_drawn_where_its_order_says(app: Flask) -> None:
    statement = "accessibility.statement"
    extra = layout.NavEntry("extra", "Extra", statement, 65, layout.on_endpoint(statement),
                            shows=lambda user: user.username == "sam")  # fmt: skip
    layout.register(extra)
    try:
        with app.app_context():
            make_user("sam")
            make_user("noor")
        sam, noor = app.test_client(), app.test_client()
        sign_in(sam, "sam")
        sign_in(noor, "noor")
        assert _links(sam.get("/help").get_data(as_text=True)) == [*EVERYONE[:6], "/accessibility", EVERYONE[6]]
        assert "/accessibility" not in _links(noor.get("/help").get_data(as_text=True))
        page = sam.get("/accessibility").get_data(as_text=True)
        assert '<a href="/accessibility" aria-current="page">Extra</a>' in page
    finally:
        layout._entries.pop("extra", None)
