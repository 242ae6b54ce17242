"""Writing is rate-limited per member, not per address: a flood is stopped, a ward sharing one address is not."""

from __future__ import annotations

from sqlalchemy import func, select

from community.extensions import db
from community.forum.models import Topic
from tests.factories import add_to_group, csrf_token, make_group, make_user, sign_in


def test_a_member_opening_topics_in_a_flood_is_stopped_and_another_member_is_not(app):
    with app.app_context():
        admin = make_user("boss", admin=True)
        group = make_group(admin, "Young people")
        for name in ("sam", "noor"):
            add_to_group(admin, group, make_user(name))
        slug = group.slug
    sam, noor = app.test_client(), app.test_client()  # the same address for both, as on a ward's network
    sign_in(sam, "sam")
    sign_in(noor, "noor")
    token = csrf_token(sam, f"/g/{slug}/topics/new")
    answers = [
        sam.post(f"/g/{slug}/topics/new", data={"title": f"Topic {n}", "body": "text", "csrf_token": token}).status_code
        for n in range(21)
    ]
    assert all(code in (302, 303) for code in answers[:20]), answers
    assert answers[20] == 429
    noor_token = csrf_token(noor, f"/g/{slug}/topics/new")
    response = noor.post(f"/g/{slug}/topics/new", data={"title": "Mine", "body": "text", "csrf_token": noor_token})
    assert response.status_code in (302, 303), "another member on the same address is not affected"
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Topic)) == 21
