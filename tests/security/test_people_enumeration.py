"""Mute and block name nobody one does not meet: an account id alone proves nothing (a member muted ids 1..30
and read the names of admins and of minors in other groups from their list)."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from sqlalchemy import func, select

from community.auth.models import User
from community.chat import private
from community.core.time import utcnow
from community.extensions import db
from community.groups import services as groups
from community.groups.models import Group
from community.moderation.models import MemberRelation
from tests.factories import add_to_group, make_group, make_user, post_form, sign_in

STRANGER_NAMES = ("Ada Lovelace", "Robin Young", "Omar Oak")


@pytest.fixture
def people(db_app: Flask) -> dict[str, int]:
    """Mia and Noah share "Parents"; Kai moderates it. Ada (admin), Robin (a minor) and Omar (a moderator) are
    only in "Young people", which Mia is not in."""
    with db_app.app_context():
        ada = make_user("ada", admin=True, display_name="Ada Lovelace")
        parents, young = make_group(ada, "Parents"), make_group(ada, "Young people")
        mia = make_user("mia", display_name="Mia Member", year_of_birth=1988)
        noah = make_user("noah", display_name="Noah Neighbour", year_of_birth=1985)
        kai = make_user("kai", display_name="Kai Keeper", year_of_birth=1980)
        robin = make_user("robin", display_name="Robin Young", year_of_birth=utcnow().year - 13)
        omar = make_user("omar", display_name="Omar Oak", year_of_birth=1979)
        for user, group, role in (
            (mia, parents, "member"), (noah, parents, "member"), (kai, parents, "moderator"),
            (robin, young, "member"), (omar, young, "moderator"),
        ):  # fmt: skip
            add_to_group(ada, group, user, role=role)
        return {u.username: u.id for u in (ada, mia, noah, kai, robin, omar)} | {"parents": parents.id}


def _mia(app: Flask):
    client = app.test_client()
    sign_in(client, "mia")
    return client


def _set(client, user_id: int, kind: str = "mute", on: bool = True):
    data = {"kind": kind, "on": "1" if on else "0"}
    return post_form(client, f"/moderation/safety/{user_id}", data, form_page="/moderation/safety")


def _without_tokens(html: str) -> str:
    """The page without its CSRF tokens and its own address (the id that was asked for)."""
    return re.sub(r"/moderation/safety/\d+", "/moderation/safety/N", re.sub(r'value="[^"]*"', 'value=""', html))


def _relations(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(MemberRelation))


@pytest.mark.parametrize("kind", ["mute", "block"])
def test_an_unknown_id_and_a_stranger_get_the_identical_answer(db_app, people, kind):
    client = _mia(db_app)
    for on in (True, False):
        unknown = _set(client, 987654, kind, on)
        stranger = _set(client, people["robin"], kind, on)
        assert unknown.status_code == stranger.status_code == 404
        assert _without_tokens(unknown.get_data(as_text=True)) == _without_tokens(stranger.get_data(as_text=True))
        assert unknown.headers.get("Location") == stranger.headers.get("Location")
    assert _relations(db_app) == 0


def test_muting_every_id_in_turn_never_shows_a_strangers_name(db_app, people):
    client = _mia(db_app)
    for user_id in range(1, max(people.values()) + 5):
        for kind in ("mute", "block"):
            _set(client, user_id, kind)
    page = client.get("/moderation/safety").get_data(as_text=True)
    for name in STRANGER_NAMES:
        assert name not in page
    assert "Noah Neighbour" in page and "Kai Keeper" in page
    with db_app.app_context():
        others = set(db.session.scalars(select(MemberRelation.other_id)))
    assert others == {people["noah"], people["kai"]}, "only people Mia meets can be muted or blocked"


def test_someone_who_left_every_shared_group_stays_on_the_list_unnamed_and_can_be_unmuted(db_app, people):
    client = _mia(db_app)
    assert _set(client, people["noah"], "block").status_code == 303
    with db_app.app_context():
        admin, noah = db.session.get(User, people["ada"]), db.session.get(User, people["noah"])
        groups.remove_member(admin, db.session.get(Group, people["parents"]), noah, "test")
        db.session.commit()
    page = client.get("/moderation/safety").get_data(as_text=True)
    assert "Noah Neighbour" not in page
    assert "Someone you no longer share a group with" in page and "Unblock" in page
    assert _set(client, people["noah"], "block", on=False).status_code == 303
    assert _relations(db_app) == 0
    assert _set(client, people["noah"], "block").status_code == 404, "once undone, they are a stranger again"


def test_a_private_conversation_partner_outside_the_group_can_still_be_blocked(db_app, people):
    with db_app.app_context():
        mia, kai = db.session.get(User, people["mia"]), db.session.get(User, people["kai"])
        parents = db.session.get(Group, people["parents"])
        private.start_private_conversation(mia, groups.open_group(mia, parents.slug), kai.id)
        db.session.commit()
        groups.remove_member(db.session.get(User, people["ada"]), parents, kai, "test")
        db.session.commit()
    client = _mia(db_app)
    assert _set(client, people["kai"], "block").status_code == 303
    assert "Kai Keeper" in client.get("/moderation/safety").get_data(as_text=True)
