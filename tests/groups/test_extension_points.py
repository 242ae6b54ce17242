"""What groups offers the features above it, seen from outside: ``group_created`` (chat makes the room), the
entry checks consent registers (``open_group`` refuses until they pass), the group page's sections (forum and
chat fill them) and the rules page, which enters through ``open_group`` skipping only the rules check."""

from __future__ import annotations

import pytest

from community.auth import access_checks
from community.chat import services as chat_services
from community.chat import wiring as chat_wiring
from community.consent import gate
from community.consent import routes as consent_routes
from community.core.admin_pages import pages
from community.extensions import db
from community.groups import entry_checks, page_sections, profile_sections, services, signup_sections
from community.groups.signals import group_created
from tests.consent.helpers import build_world, publish_required
from tests.factories import make_user, post_form


def test_group_created_is_sent_and_chat_makes_the_room_through_it(app):
    with app.app_context():
        admin = make_user("admin1", admin=True)
        seen = []

        def spy(group, **extra):
            seen.append((group.id, extra["actor"].id))

        with group_created.connected_to(spy):
            group = services.create_group(admin, name="Parents")
        assert seen == [(group.id, admin.id)]
        assert chat_services.find_group_room(group.id) is not None  # chat's receiver, in the same transaction

        group_created.disconnect(chat_wiring.make_group_room)
        try:
            without_chat = services.create_group(admin, name="Carers")
        finally:
            group_created.connect(chat_wiring.make_group_room)
        assert chat_services.find_group_room(without_chat.id) is None  # groups itself makes no room
        db.session.rollback()


def test_consent_registers_its_checks_and_the_forum_and_chat_their_sections(app):
    assert access_checks._checks["consent"] is gate.require_platform_consent
    assert entry_checks._checks[entry_checks.RULES_CHECK] is gate.require_group_rules
    assert {"forum", "chat"} <= set(page_sections._sections)
    assert page_sections._sections["announcements"].place == "top"  # the forum's, above the page's buttons
    assert page_sections._sections["forum"].scripts == "forum/_group_scripts.html"  # forum.js, on the page
    assert profile_sections._sections["safety"].template == "moderation/safety_controls.html"
    assert signup_sections._sections["consent"].template == "consent/_signup_documents.html"
    with app.test_request_context():
        assert "consent_admin.consent_documents" in [page.endpoint for page in pages()]


@pytest.fixture
def world(app):
    return build_world(app)


def _write_rules(world) -> None:
    response = post_form(
        world.client("mona"), f"/g/{world.slug}/rules/edit", {"language": "en", "text": "Rule one: be kind."}
    )
    assert response.status_code == 303


def test_an_entry_check_registered_by_consent_refuses_entry_until_the_rules_are_accepted(world):
    _write_rules(world)
    with world.app.test_request_context():
        mia = world.user("mia")
        with pytest.raises(gate.RulesRequired):
            services.open_group(mia, world.slug)
        skipping = services.open_group(mia, world.slug, skip_checks=(entry_checks.RULES_CHECK,))
        assert not entry_checks.may_enter(mia, skipping.group, skipping.membership)
        assert entry_checks.may_enter(mia, skipping.group, skipping.membership, skip=(entry_checks.RULES_CHECK,))
        services.open_group(world.user("mona"), world.slug)  # who wrote them has accepted them
    response = world.client("mia").get(f"/g/{world.slug}")
    assert response.status_code == 303 and response.headers["Location"] == f"/g/{world.slug}/rules"


def test_the_rules_page_goes_through_open_group_skipping_only_the_rules_check(world, monkeypatch):
    _write_rules(world)
    calls = []
    real = consent_routes.open_group

    def spy(user, slug, **kw):
        calls.append((slug, tuple(kw.get("skip_checks", ()))))
        return real(user, slug, **kw)

    monkeypatch.setattr(consent_routes, "open_group", spy)
    assert world.client("mia").get(f"/g/{world.slug}/rules").status_code == 200
    assert calls == [(world.slug, (entry_checks.RULES_CHECK,))]
    assert world.client("admin1").get(f"/g/{world.slug}/rules").status_code == 404  # not in the group: as before


def test_the_rules_page_sends_a_member_who_owes_the_platform_consents_there_first(world):
    publish_required(world.app)
    response = world.client("mia").get(f"/g/{world.slug}/rules")
    assert response.status_code == 303 and response.headers["Location"].startswith("/consent")


def test_a_section_in_an_unknown_place_is_refused():
    with pytest.raises(ValueError):
        page_sections.register("nowhere", order=1, template="x.html", data=lambda *_: {}, place="side")
    assert "nowhere" not in page_sections._sections
