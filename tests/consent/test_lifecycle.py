"""The consent lifecycle through the pages: asked at the next visit, agreeing, a new version with what
changed, a stale form, withdrawing the health-data consent (the account is paused), group rules."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from community.consent.models import ConsentRecord, ConsentVersion
from community.extensions import db, socketio
from tests.consent.helpers import agree_all, audit_actions, build_world, publish_required, records
from tests.factories import csrf_token, post_form


@pytest.fixture
def world(db_app):
    return build_world(db_app)


def test_without_published_documents_nobody_is_stopped(world):
    response = world.client("mia").get(f"/g/{world.slug}")
    assert response.status_code == 200


def test_a_member_is_sent_to_the_consent_page_and_their_answers_are_recorded(world):
    versions = publish_required(world.app)
    client = world.client("mia")
    response = client.get(f"/g/{world.slug}")
    assert response.status_code == 303 and response.headers["Location"].startswith("/consent")
    page = client.get("/consent").get_data(as_text=True)
    assert "Be kind to each other." in page and "I agree to" in page

    ids = sorted(versions.values())
    response = post_form(client, "/consent?next=/g/" + world.slug, {"version": ids, "agree": ids}, form_page="/consent")
    assert response.status_code == 303 and response.headers["Location"] == f"/g/{world.slug}"
    stored = records(world.app, world.ids["mia"])
    assert sorted((r[2], r[3], r[4], r[6]) for r in stored) == [(v, "given", "form", "self") for v in ids]
    assert client.get(f"/g/{world.slug}").status_code == 200


def test_refusing_is_recorded_and_keeps_the_gate_closed(world):
    versions = publish_required(world.app)
    client = world.client("mia")
    ids = sorted(versions.values())
    agreed = [versions["terms"], versions["privacy"]]
    response = post_form(client, "/consent", {"version": ids, "agree": agreed})
    assert response.status_code == 303
    decisions = {r[2]: r[3] for r in records(world.app, world.ids["mia"])}
    assert decisions[versions["health_data"]] == "refused"
    assert client.get(f"/g/{world.slug}").status_code == 303
    # The privacy page (export, erasure) stays open.
    assert client.get("/account/privacy").status_code == 200


def test_a_new_version_shows_what_changed_and_asks_again(world):
    publish_required(world.app)
    agree_all(world.app, "mia", "admin1")  # admins are asked too
    admin = world.client("admin1")
    with world.app.app_context():
        from community.consent import documents

        terms_id = documents.instance_document("terms").id
    new_text = "# Terms of use\n\nBe kind to each other.\nNo selling of anything."
    response = post_form(
        admin, f"/admin/consent/{terms_id}", {"language": "en", "text": new_text, "summary": "Selling"}
    )
    assert response.status_code == 303
    with world.app.app_context():
        draft = db.session.scalar(select(ConsentVersion).where(ConsentVersion.published_at.is_(None)))
        draft_id, old_id = (
            draft.id,
            db.session.scalar(
                select(ConsentVersion.id).where(ConsentVersion.document_id == terms_id, ConsentVersion.version == 1)
            ),
        )
    # Not published yet: the member is not asked.
    client = world.client("mia")
    assert client.get(f"/g/{world.slug}").status_code == 200
    response = post_form(
        admin, f"/admin/consent/versions/{draft_id}/publish", {}, form_page=f"/admin/consent/{terms_id}"
    )
    assert response.status_code == 303
    assert audit_actions(world.app)[-1] == "consent.version_published"

    assert client.get(f"/g/{world.slug}").status_code == 303
    page = client.get("/consent").get_data(as_text=True)
    assert "Removed:</strong> No advertising." in page and "Added:</strong> No selling of anything." in page

    before = records(world.app)
    stale = post_form(client, "/consent", {"version": [old_id], "agree": [old_id]})
    assert stale.status_code == 400 and "changed while you were reading" in stale.get_data(as_text=True)
    assert records(world.app) == before

    assert post_form(client, "/consent", {"version": [draft_id], "agree": [draft_id]}).status_code == 303
    assert client.get(f"/g/{world.slug}").status_code == 200


def test_withdrawing_health_consent_pauses_the_account(world):
    versions = publish_required(world.app)
    agree_all(world.app, "mia")
    client = world.client("mia")
    refused = post_form(client, "/consent/withdraw", {})
    assert refused.status_code == 400 and records(world.app, world.ids["mia"])[-1][3] == "given"

    response = post_form(client, "/consent/withdraw", {"confirm": "y"})
    assert response.status_code == 303
    last = records(world.app, world.ids["mia"])[-1]
    assert (last[2], last[3]) == (versions["health_data"], "withdrawn")
    # Paused: no group pages, no live connection; the privacy page still works.
    assert client.get(f"/g/{world.slug}").status_code == 303
    assert client.get("/account/privacy").status_code == 200
    assert "You withdrew this consent" in client.get("/consent").get_data(as_text=True)
    socket = socketio.test_client(world.app, flask_test_client=client)
    assert not socket.is_connected()
    # Withdrawing twice: nothing to withdraw, nothing stored.
    before = records(world.app)
    assert post_form(client, "/consent/withdraw", {"confirm": "y"}).status_code == 400
    assert records(world.app) == before


def test_a_published_version_and_the_records_cannot_be_changed(world):
    publish_required(world.app)
    agree_all(world.app, "mia")
    with world.app.app_context():
        version = db.session.scalar(select(ConsentVersion))
        version.text = "Something else entirely."
        with pytest.raises(RuntimeError, match="frozen"):
            db.session.flush()
        db.session.rollback()
        record = db.session.scalar(select(ConsentRecord))
        record.decision = "refused"
        with pytest.raises(RuntimeError, match="append-only"):
            db.session.flush()
        db.session.rollback()
        db.session.delete(db.session.scalar(select(ConsentRecord)))
        with pytest.raises(RuntimeError, match="append-only"):
            db.session.flush()
        db.session.rollback()


def test_group_rules_must_be_accepted_before_entering_and_again_after_a_change(world):
    moderator, member = world.client("mona"), world.client("mia")
    assert post_form(member, f"/g/{world.slug}/rules/edit", {"language": "en", "text": "Rule one: be kind."},
                     form_page=f"/g/{world.slug}/rules").status_code == 404  # fmt: skip
    response = post_form(moderator, f"/g/{world.slug}/rules/edit", {"language": "en", "text": "Rule one: be kind."})
    assert response.status_code == 303
    assert audit_actions(world.app)[-1] == "consent.version_published"
    # The moderator who wrote them enters; the member is sent to the rules, the chat page too.
    assert moderator.get(f"/g/{world.slug}").status_code == 200
    for path in (f"/g/{world.slug}", f"/g/{world.slug}/chat"):
        response = member.get(path)
        assert response.status_code == 303 and response.headers["Location"] == f"/g/{world.slug}/rules"
    page = member.get(f"/g/{world.slug}/rules").get_data(as_text=True)
    assert "Rule one: be kind." in page
    with world.app.app_context():
        version_id = db.session.scalar(select(ConsentVersion.id))
    assert post_form(member, f"/g/{world.slug}/rules", {"version_id": version_id}).status_code == 303
    assert member.get(f"/g/{world.slug}").status_code == 200

    post_form(
        moderator, f"/g/{world.slug}/rules/edit", {"language": "en", "text": "Rule one: be kind.\nRule two: no ads."}
    )
    assert member.get(f"/g/{world.slug}").status_code == 303
    page = member.get(f"/g/{world.slug}/rules").get_data(as_text=True)
    assert "Added:</strong> Rule two: no ads." in page
    before = records(world.app)
    stale = post_form(member, f"/g/{world.slug}/rules", {"version_id": version_id})
    assert stale.status_code == 400 and records(world.app) == before


def test_only_admins_reach_the_consent_admin_pages_and_the_ledger_has_no_names(world):
    publish_required(world.app)
    agree_all(world.app, "mia", "otto", "mona", "admin1")
    assert world.client("mia").get("/admin/consent").status_code == 404
    assert world.client("mona").get("/admin/consent/ledger.csv").status_code == 404
    admin = world.client("admin1")
    assert admin.get("/admin/consent").status_code == 200
    csv_text = admin.get("/admin/consent/ledger.csv").get_data(as_text=True)
    lines = csv_text.strip().splitlines()
    assert lines[0].startswith("record_id,member_ref") and len(lines) == 1 + 12
    assert "mia" not in csv_text.lower() and "@" not in csv_text
    assert audit_actions(world.app)[-1] == "consent.ledger_exported"
    for path in ("/admin/privacy/register", "/admin/privacy/register.csv", "/admin/privacy/register.md"):
        response = admin.get(path)
        assert response.status_code == 200 and "Consent records" in response.get_data(as_text=True)


def test_bad_admin_input_is_refused_and_nothing_is_stored(world):
    admin = world.client("admin1")
    response = post_form(admin, "/admin/consent", {"kind": "terms", "title": "T"})
    assert response.status_code == 400
    assert post_form(admin, "/admin/consent", {"kind": "terms", "title": "Terms"}).status_code == 303
    again = post_form(admin, "/admin/consent", {"kind": "terms", "title": "Terms again"})
    assert again.status_code == 400 and "already exists" in again.get_data(as_text=True)
    with world.app.app_context():
        from community.consent.models import ConsentDocument

        document_id = db.session.scalar(select(ConsentDocument.id))
        assert db.session.scalar(select(db.func.count()).select_from(ConsentDocument)) == 1
    short = post_form(admin, f"/admin/consent/{document_id}", {"language": "en", "text": "short"})
    assert short.status_code == 400
    with world.app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(ConsentVersion)) == 0


def test_the_invitation_page_records_consent_for_the_current_versions(world):
    versions = publish_required(world.app)
    with world.app.app_context():
        from community.groups import invitation_staff
        from community.groups.models import Group

        admin = world.user("admin1")
        group = db.session.scalar(select(Group))
        code = invitation_staff.create_code_invitation(admin, group, role="member").code
        db.session.commit()
    client = world.app.test_client()
    page = client.get(f"/invite/{code}").get_data(as_text=True)
    assert "What you agree to" in page
    data = {"username": "newbie", "display_name": "Newbie", "password": "a-long-test-password", "language": "en",
            "year_of_birth": "1990", "consent": "y"}  # fmt: skip
    no_year = post_form(
        client, f"/invite/{code}", {**data, "year_of_birth": "", "consent_version": list(versions.values())}
    )
    assert no_year.status_code == 400 and "year of birth" in no_year.get_data(as_text=True)
    response = post_form(client, f"/invite/{code}", {**data, "consent_version": list(versions.values())})
    assert response.status_code == 303
    with world.app.app_context():
        from community.auth.models import User

        user_id = db.session.scalar(select(User.id).where(User.username == "newbie"))
    stored = records(world.app, user_id)
    assert sorted((r[2], r[3], r[4]) for r in stored) == sorted((v, "given", "invitation") for v in versions.values())
    assert client.get(f"/g/{world.slug}").status_code == 200
    assert csrf_token  # imported for post_form's sake


def test_a_member_who_has_not_accepted_the_rules_cannot_join_the_group_chat(world):
    from community.chat import services as chat
    from community.groups.models import Group

    with world.app.app_context():
        room_id = chat.group_room_conversation(db.session.scalar(select(Group.id))).id
        db.session.commit()
    member = world.client("mia")
    socket = socketio.test_client(world.app, flask_test_client=member)
    assert socket.emit("chat:join", {"conversation_id": room_id}, callback=True)["ok"] is True
    socket.disconnect()
    post_form(world.client("mona"), f"/g/{world.slug}/rules/edit", {"language": "en", "text": "Rule one: be kind."})
    socket = socketio.test_client(world.app, flask_test_client=member)
    assert socket.emit("chat:join", {"conversation_id": room_id}, callback=True)["ok"] is False
    socket.disconnect()


def test_staff_see_which_members_are_minors(world):
    from community.auth.models import User
    from community.core.time import utcnow

    with world.app.app_context():
        db.session.get(User, world.ids["otto"]).year_of_birth = utcnow().year - 13
        db.session.commit()
    page = world.client("mona").get(f"/g/{world.slug}").get_data(as_text=True)
    assert page.count(">Minor<") == 1
    assert ">Minor<" not in world.client("mia").get(f"/g/{world.slug}").get_data(as_text=True)
    admin = world.client("admin1")
    assert admin.get("/admin/accounts").get_data(as_text=True).count(">Minor<") == 1
    assert "yes, younger than 16" in admin.get(f"/admin/accounts/{world.ids['otto']}").get_data(as_text=True)
