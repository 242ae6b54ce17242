"""`flask demo` seeds a believable community, twice without duplicates, never in production."""

from __future__ import annotations

from sqlalchemy import func, select

from community import models
from community.extensions import db
from tests.conftest import build_app
from tests.factories import make_user, sign_in

TABLES = [models.User, models.Group, models.Membership, models.Topic, models.Post, models.Message,
          models.QueueItem, models.AuditEntry]  # fmt: skip


def _counts() -> dict[str, int]:
    return {t.__tablename__: db.session.scalar(select(func.count()).select_from(t)) for t in TABLES}


def test_demo_seeds_groups_people_topics_chat_and_a_pending_queue_item(db_app, monkeypatch):
    monkeypatch.setenv("DEMO_PASSWORD", "demo-password-for-tests")
    result = db_app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    assert "sam is in 'Young people' only" in result.output
    assert "demo-password-for-tests" not in result.output, "a password the operator chose is not echoed"
    with db_app.app_context():
        counts = _counts()
        assert counts["groups"] == 2 and counts["users"] >= 9
        assert counts["topics"] >= 4 and counts["posts"] >= 8 and counts["messages"] >= 4
        held = db.session.scalars(select(models.QueueItem)).all()
        assert len(held) == 1 and held[0].kind == "held" and held[0].resolved_at is None
        assert db.session.get(models.Post, held[0].target_id).state == "held"

    sam = db_app.test_client()
    sign_in(sam, "sam", "demo-password-for-tests")
    home = sam.get("/").get_data(as_text=True)
    assert "Young people" in home
    assert "Parents of children with intensive care needs" not in home
    assert sam.get("/g/parents-of-children-with-intensive-care-needs").status_code == 404

    alex = db_app.test_client()
    sign_in(alex, "alex", "demo-password-for-tests")
    page = alex.get("/g/parents-of-children-with-intensive-care-needs").get_data(as_text=True)
    assert "Night care" in page
    assert "New here: tube feeding" not in page, "the held post waits for a moderator"


def test_running_the_demo_twice_duplicates_nothing(app):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["demo"]).exit_code == 0
    with app.app_context():
        first = _counts()
    assert runner.invoke(args=["demo"]).exit_code == 0
    with app.app_context():
        assert _counts() == first


def test_an_admin_made_through_the_setup_link_stays(app):
    with app.app_context():
        make_user("admin", admin=True, display_name="The real admin")
    assert app.test_cli_runner().invoke(args=["demo"]).exit_code == 0
    client = app.test_client()
    sign_in(client, "admin")  # still the factory's password, not the demo password
    with app.app_context():
        assert db.session.scalar(select(models.User.display_name).where(models.User.username == "admin")) == (
            "The real admin"
        )


def test_the_demo_is_refused_under_the_production_configuration():
    app = build_app(DEMO_ALLOWED=False)
    with app.app_context():
        db.create_all()
    result = app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code != 0
    assert "production" in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(models.User)) == 0
