"""Consent records cannot be edited through any route: every route of the app, sent with every method it
takes and form data aimed at the records, by a member, a moderator and an admin, leaves every existing
record exactly as it was (new records may only be added)."""

from __future__ import annotations

import contextlib
import re
import time

from community.auth.sessions import start_session
from community.core.sessions import LAST_SEEN_KEY, SESSION_TOKEN_KEY
from community.extensions import db
from tests.conftest import build_app
from tests.consent.helpers import agree_all, build_world, publish_required, records
from tests.privacy.content import make_content

LAST = ("logout", "delete", "erase")  # routes that end the session or the account go last


def _path(rule, values: dict[str, object]) -> str:
    def fill(match: re.Match) -> str:
        spec = match.group(1)
        name = spec.split(":")[-1]
        if spec.startswith("any("):
            return spec[4 : spec.index(")")].split(",")[0].strip()
        return str(values.get(name, 1 if spec.startswith("int") else "x"))

    return re.sub(r"<([^>]+)>", fill, rule.rule)


def test_no_route_changes_an_existing_consent_record():
    app = build_app(WTF_CSRF_ENABLED=False, RATELIMIT_ENABLED=False)
    with app.app_context():
        db.create_all()
    try:
        world = build_world(app)
        make_content(world)
        versions = publish_required(app)
        agree_all(app, "mia", "otto", "mona", "admin1")
        before = records(app)
        assert len(before) == 12
        with app.app_context():
            tokens = {name: start_session(world.user(name), "test") for name in ("mia", "mona", "admin1")}
            db.session.commit()
        values = {"slug": world.slug, "user_id": world.ids["mia"], "document_id": 1, "version_id": versions["terms"],
                  "record_id": 1, "group_id": 1}  # fmt: skip
        payload = {"decision": "refused", "user_id": world.ids["otto"], "version_id": versions["terms"],
                   "version": list(versions.values()), "agree": [], "text": "Changed text of the document.",
                   "language": "en", "confirm": "y", "mode": "anonymise", "reason": "tampering test",
                   "password": "a-long-test-password", "kind": "terms", "title": "Changed"}  # fmt: skip
        rules = sorted(app.url_map.iter_rules(), key=lambda r: (any(word in r.rule for word in LAST), r.rule))
        sent = 0
        for token in tokens.values():
            client = app.test_client()
            with client.session_transaction() as session:
                session[SESSION_TOKEN_KEY], session[LAST_SEEN_KEY] = token, int(time.time())
            for rule in rules:
                if rule.endpoint == "static":
                    continue
                for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                    # A page that crashes stores nothing (its transaction rolls back); only the records matter.
                    with contextlib.suppress(Exception):
                        client.open(_path(rule, values), method=method, data=payload)
                    sent += 1
        assert sent > 100
        after = records(app)
        assert after[: len(before)] == before
        # The routes were really reached: the consent form appended new (refusing) records, as it may.
        assert len(after) > len(before)
    finally:
        with app.app_context():
            db.session.remove()
            db.drop_all()
            db.engine.dispose()
