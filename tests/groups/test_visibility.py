"""Nobody sees a group they are not in: it answers 404, never 403, and is never listed."""

from __future__ import annotations

from community.extensions import db
from community.forum import writing as forum
from community.groups import services as groups
from community.groups.models import Membership
from tests.factories import add_to_group, make_group, make_user, sign_in


def _two_groups(app):
    with app.app_context():
        admin = make_user("boss", admin=True)
        young = make_group(admin, "Young people", description="For young people")
        parents = make_group(admin, "Parents together")
        sam, alex = make_user("sam"), make_user("alex")
        add_to_group(admin, young, sam)
        add_to_group(admin, parents, alex)
        topic = forum.create_topic(alex, groups.open_group(alex, parents.slug), title="Sleep at night", body="How?")
        db.session.commit()
        return young.slug, parents.slug, topic.topic.id


def test_a_member_sees_only_their_own_groups(db_app):
    young, _, _ = _two_groups(db_app)
    client = db_app.test_client()
    sign_in(client, "sam")
    home = client.get("/").get_data(as_text=True)
    assert "Young people" in home
    assert "Parents together" not in home
    assert client.get(f"/g/{young}").status_code == 200


def test_a_group_one_is_not_in_answers_404_not_403(db_app):
    young, parents, topic_id = _two_groups(db_app)
    client = db_app.test_client()
    sign_in(client, "sam")
    for url in (f"/g/{parents}", f"/g/{parents}/t/{topic_id}", f"/g/{young}/t/{topic_id}", "/g/does-not-exist"):
        response = client.get(url)
        assert response.status_code == 404, url
        assert "Sleep at night" not in response.get_data(as_text=True)


def test_an_admin_does_not_read_groups_they_are_not_in(app):
    _, parents, _ = _two_groups(app)
    client = app.test_client()
    sign_in(client, "boss")
    assert client.get(f"/g/{parents}").status_code == 404


def test_a_removed_member_loses_access_at_once(app):
    young, _, _ = _two_groups(app)
    client = app.test_client()
    sign_in(client, "sam")
    assert client.get(f"/g/{young}").status_code == 200
    with app.app_context():
        db.session.query(Membership).filter_by(state="active").update({"state": "removed"})
        db.session.commit()
    assert client.get(f"/g/{young}").status_code == 404
    assert "Young people" not in client.get("/").get_data(as_text=True)


def test_a_muted_member_still_reads_the_group(app):
    young, _, _ = _two_groups(app)
    with app.app_context():
        db.session.query(Membership).update({"state": "muted"})
        db.session.commit()
    client = app.test_client()
    sign_in(client, "sam")
    assert client.get(f"/g/{young}").status_code == 200


def test_a_topic_page_shows_the_posts_as_sanitised_html(app):
    with app.app_context():
        admin = make_user("boss", admin=True)
        group = make_group(admin, "Young people")
        sam = make_user("sam")
        add_to_group(admin, group, sam)
        access = groups.open_group(sam, group.slug)
        result = forum.create_topic(
            sam, access, title="Hello", body="**bold** <script>alert(1)</script>", content_warning="loss"
        )
        db.session.commit()
        url = f"/g/{group.slug}/t/{result.topic.id}"
    client = app.test_client()
    sign_in(client, "sam")
    html = client.get(url).get_data(as_text=True)
    assert "<strong>bold</strong>" in html
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "Content warning: loss" in html


def test_adding_someone_already_in_the_group_is_refused_so_roles_change_only_through_set_role(app):
    import pytest

    from community.core.errors import DomainError

    with app.app_context():
        admin = make_user("boss", admin=True)
        group = make_group(admin, "Young people")
        sam = make_user("sam")
        add_to_group(admin, group, sam)
        with pytest.raises(DomainError, match="already in the group"):
            groups.add_member(admin, group, sam, role="moderator")
        db.session.rollback()
        membership = db.session.query(Membership).filter_by(user_id=sam.id).one()
        assert membership.role == "member"
        membership.state = "removed"
        db.session.commit()
        groups.add_member(admin, group, sam, role="member")
        db.session.commit()
        assert db.session.query(Membership).filter_by(user_id=sam.id).one().state == "active", "removed: re-added"
