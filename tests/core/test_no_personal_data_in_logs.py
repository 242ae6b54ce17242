"""No member content or personal data reaches the logs, across a whole journey."""

from __future__ import annotations

import logging

from community.extensions import db
from community.forum import writing as forum
from community.groups import services as groups
from tests.factories import add_to_group, make_group, make_user, post_form, sign_in

SECRET_WORDS = "my-son-has-a-rare-condition-zq"
EMAIL = "sam.private@example.org"


def test_a_full_journey_logs_no_content_names_emails_or_passwords(app, caplog):
    caplog.set_level(logging.DEBUG)
    client = app.test_client()
    with app.app_context():
        admin = make_user("boss", admin=True)
        group = make_group(admin, "Young people")
        sam = make_user("samuel", email=EMAIL, display_name="Samuel Jansen")
        add_to_group(admin, group, sam)
        result = forum.create_topic(sam, groups.open_group(sam, group.slug), title="About us", body=SECRET_WORDS)
        db.session.commit()
        url = f"/g/{group.slug}/t/{result.topic.id}"
    post_form(client, "/login", {"login": EMAIL, "password": "a-wrong-password"})
    sign_in(client, "samuel")
    client.get("/")
    client.get(url)
    client.get("/g/not-mine")
    post_form(client, "/logout", {}, form_page="/")

    logged = "\n".join(record.getMessage() for record in caplog.records)
    for private in (SECRET_WORDS, EMAIL, "Samuel Jansen", "a-wrong-password", "a-long-test-password"):
        assert private not in logged
