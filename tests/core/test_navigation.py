"""The signed-in navigation is a kept fragment (core/layout.py, core.fragments): every member still sees their
own links, current page, badges, name and token."""

from __future__ import annotations

import re

from flask import Flask

from community.extensions import db
from community.notifications import services as notifications
from tests.factories import add_to_group, make_group, make_user, sign_in


def _nav(html: str) -> str:
    match = re.search(r'<nav aria-label="Main">.*?</form>', html, re.S)
    assert match, "no navigation on the page"
    return match.group(0)


def _current(nav: str) -> list[str]:
    return re.findall(r'<a href="([^"]+)"[^>]* aria-current="page"', nav)


def test_each_member_sees_their_own_name_badges_links_and_token(app: Flask) -> None:
    with app.app_context():
        admin = make_user("boss", admin=True)
        group = make_group(admin, "Parents")
        sam = make_user("sam", display_name='Sam <script>alert("x")</script>')
        mona = make_user("mona", display_name="Mona")
        add_to_group(admin, group, sam)
        add_to_group(admin, group, mona, role="moderator")
        notifications.notify([sam.id], kind="mention", actor_id=mona.id, group_id=group.id, target_type="group",
                             target_id=group.id)  # fmt: skip
        db.session.commit()
    clients = {}
    for name in ("sam", "mona", "boss"):
        clients[name] = app.test_client()
        sign_in(clients[name], name)
    navs = {name: _nav(client.get("/help").get_data(as_text=True)) for name, client in clients.items()}

    assert "Sam &lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in navs["sam"] and "<script>" not in navs["sam"]
    assert '<span class="signed-in-as" dir="auto">Mona</span>' in navs["mona"]
    assert "<span data-notification-count> (1)</span>" in navs["sam"]
    assert "<span data-notification-count hidden> (0)</span>" in navs["mona"]
    assert "/moderation" in navs["mona"] and "/moderation" not in navs["sam"]
    assert "/admin" in navs["boss"] and "/admin" not in navs["sam"] and "/admin" not in navs["mona"]
    tokens = {name: re.search(r'name="csrf_token" value="([^"]+)"', nav).group(1) for name, nav in navs.items()}
    assert len(set(tokens.values())) == 3


def test_the_current_page_is_marked_on_each_page(app: Flask) -> None:
    with app.app_context():
        make_user("sam")
    client = app.test_client()
    sign_in(client, "sam")
    for path, current in (("/help", ["/help"]), ("/notifications", ["/notifications"]), ("/", ["/"]),
                          ("/account/content-warnings", ["/account/profile"]), ("/search", ["/search"])):  # fmt: skip
        nav = _nav(client.get(path).get_data(as_text=True))
        assert _current(nav) == current, (path, _current(nav))
