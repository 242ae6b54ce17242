"""A journey through the consent and privacy features logs no message text and no email addresses: signing
up as a minor (with the guardian mail failing, so its warning is logged), consenting, withdrawing, exporting,
erasing, and an admin erasing on request."""

from __future__ import annotations

import logging
import re

from sqlalchemy import select

from community.core.time import utcnow
from community.extensions import db
from community.groups import invitation_staff
from community.groups.models import Group
from tests.consent.helpers import agree_all, build_world, publish_required
from tests.factories import post_form
from tests.privacy.content import make_content

GUARDIAN = "guardian.private@example.org"


def test_the_consent_and_privacy_journey_logs_no_content_or_email(app, caplog):
    caplog.set_level(logging.DEBUG)
    world = build_world(app)
    make_content(world)
    versions = publish_required(app)
    agree_all(app, "mia", "otto", "mona", "admin1")
    with app.app_context():
        group = db.session.scalar(select(Group))
        code = invitation_staff.create_code_invitation(world.user("admin1"), group, role="member").code
        db.session.commit()
    app.config.update(MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=1)  # nobody listens: a logged warning
    kid = app.test_client()
    post_form(kid, f"/invite/{code}", {
        "username": "kiddo", "display_name": "Kiddo Secretname", "password": "a-long-test-password", "language": "en",
        "year_of_birth": str(utcnow().year - 12), "consent": "y", "guardian_email": GUARDIAN,
        "consent_version": list(versions.values()),
    })  # fmt: skip
    app.config["MAIL_BACKEND"] = "memory"
    mia = world.client("mia")
    post_form(mia, "/consent/withdraw", {"confirm": "y"})
    post_form(mia, "/account/privacy/export", {}, form_page="/account/privacy")
    post_form(mia, "/account/delete", {"mode": "remove", "password": "a-long-test-password", "confirm": "y"})
    admin = world.client("admin1")
    admin.get(f"/admin/accounts/{world.ids['otto']}")
    post_form(admin, f"/admin/accounts/{world.ids['otto']}/erase", {"mode": "anonymise", "reason": "By mail"})

    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert any("guardian mail not sent" in record.getMessage() for record in caplog.records)
    assert not re.search(r"[\w.+-]+@[\w-]+\.\w+", logged)
    for private in ("zebracorn", "Miaword", "Miasecret", "Ottoword", "Kiddo Secretname", "Mia Person", "By mail"):
        assert private not in logged
    # The journey really happened (a log test of a journey that failed early would prove nothing).
    with app.app_context():
        from community.auth.models import User
        from community.consent.models import GuardianConfirmation

        assert world.user("mia").state == "deleted" and world.user("otto").state == "deleted"
        kid_id = db.session.scalar(select(User.id).where(User.username == "kiddo"))
        assert db.session.scalar(select(GuardianConfirmation.user_id)) == kid_id
