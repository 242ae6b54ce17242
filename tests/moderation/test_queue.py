"""The moderators' queue through its pages and socket events: who sees it, its order, an item's context, claims,
live updates, and two moderators racing for one item on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import select

from community.auth.models import User
from community.core.errors import DomainError
from community.core.time import utcnow
from community.extensions import db, socketio
from community.moderation import actions, queue
from community.moderation.models import PRIORITY_URGENT, QueueItem
from tests.factories import post_form
from tests.moderation.test_queue_world import World, build_world


@pytest.fixture
def world(db_app) -> World:
    return build_world(db_app)


def _add_item(world: World, *, kind: str, priority: int, age_minutes: int, target_id: int) -> int:
    with world.app.app_context():
        item = QueueItem(
            group_id=world.group_id, kind=kind, priority=priority, target_type="post", target_id=target_id,
            reason="", created_at=utcnow() - timedelta(minutes=age_minutes),
        )  # fmt: skip
        db.session.add(item)
        db.session.commit()
        return item.id


def test_the_queue_lists_urgent_first_then_oldest_for_moderators_only(world):
    _topic, post_id = world.topic("mia")
    old = _add_item(world, kind="report", priority=2, age_minutes=90, target_id=post_id)
    urgent = _add_item(world, kind="safeguarding", priority=PRIORITY_URGENT, age_minutes=1, target_id=post_id)
    held = world.item_id("post", post_id, "held")
    text = world.client("mona").get("/moderation/").get_data(as_text=True)
    positions = [text.index(f'/moderation/items/{item_id}"') for item_id in (urgent, old, held)]
    assert positions == sorted(positions)
    assert "Urgent" in text and "Night owls" in text
    # The same in the group's own queue, and filtered by kind.
    group_text = world.client("max").get(f"/moderation/g/{world.group_id}?kind=report").get_data(as_text=True)
    assert f'/moderation/items/{old}"' in group_text and f'/moderation/items/{held}"' not in group_text
    # A member, and a moderator of another group, see nothing of it.
    assert world.client("mia").get(f"/moderation/items/{held}").status_code == 404
    assert world.client("mia").get(f"/moderation/g/{world.group_id}").status_code == 404
    assert f'/moderation/items/{held}"' not in world.client("oscar").get("/moderation/").get_data(as_text=True)
    assert world.client("oscar").get(f"/moderation/items/{held}").status_code == 404
    # An admin works every group's queue.
    assert world.client("root").get(f"/moderation/items/{held}").status_code == 200


def test_an_item_shows_its_context_the_writers_history_and_earlier_actions(world):
    topic_id, _opening = world.topic("noah", body="Opening words of the topic", title="Sleepless again")
    with world.app.app_context():
        db.session.execute(
            QueueItem.__table__.update().where(QueueItem.target_type == "post").values(resolved_at=utcnow())
        )
        from community.forum.models import Post, Topic

        db.session.get(Topic, topic_id).state = "published"
        db.session.execute(Post.__table__.update().values(state="published"))
        db.session.commit()
    world.reply("lena", topic_id, body="A reply before it")
    post_id = world.reply("mia", topic_id, body="The reply in question")
    item_id = world.item_id("post", post_id, "held")
    world.act("max", item_id, "hide", reason="Not kind")  # an earlier action on the item's content
    with world.app.app_context():
        item = QueueItem(group_id=world.group_id, kind="report", priority=2, target_type="post", target_id=post_id)
        db.session.add(item)
        db.session.commit()
        report_item = item.id
    text = world.client("mona").get(f"/moderation/items/{report_item}").get_data(as_text=True)
    assert "Sleepless again" in text
    assert "Opening words of the topic" in text and "The reply in question" in text
    assert "Mia" in text and "Hidden" in text and "Not kind" in text  # writer's history and earlier action
    assert f"/moderation/notes/{world.group_id}/{world.ids['mia']}" in text


def test_a_claimed_item_is_only_for_the_moderator_who_took_it(world):
    _topic, post_id = world.topic("mia")
    item_id = world.item_id("post", post_id)
    response = post_form(world.client("mona"), f"/moderation/items/{item_id}/claim", {},
                         form_page=f"/moderation/items/{item_id}")  # fmt: skip
    assert response.status_code == 303
    text = world.client("max").get(f"/moderation/items/{item_id}").get_data(as_text=True)
    assert "Mona is handling this item." in text
    refused = world.act("max", item_id, "approve")
    assert refused.status_code == 400
    assert "Another moderator is handling this item" in refused.get_data(as_text=True)
    assert world.open_items("post", post_id)  # still open
    assert world.audit("moderation.approve") == []
    # Released, the other moderator can act.
    post_form(
        world.client("mona"), f"/moderation/items/{item_id}/release", {}, form_page=f"/moderation/items/{item_id}"
    )
    assert world.act("max", item_id, "approve").status_code == 303
    assert world.open_items("post", post_id) == []


@pytest.fixture(params=["sqlite-file", "postgresql"])
def race_world(request, tmp_path):
    """Real separate connections: a SQLite file (an in-memory database is one shared connection) or PostgreSQL."""
    from tests.conftest import _fresh_schema, build_app

    url = (
        f"sqlite:///{tmp_path / 'race.db'}"
        if request.param == "sqlite-file"
        else request.getfixturevalue("postgres_url")
    )
    for app in _fresh_schema(build_app(url)):
        yield build_world(app)


def test_two_moderators_acting_at_once_only_one_wins(race_world):
    """Two connections, two threads, the same item: exactly one action is stored."""
    world = race_world
    _topic, post_id = world.topic("mia")
    item_id = world.item_id("post", post_id)
    barrier = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def act(name: str, action: str) -> None:
        with world.app.app_context():
            actor = db.session.get(User, world.ids[name])
            barrier.wait()
            try:
                actions.act_on_item(actor, item_id, action, reason="Two at once")
                db.session.commit()
                outcomes[name] = "done"
            except DomainError as error:
                db.session.rollback()
                outcomes[name] = str(error.message)
            finally:
                db.session.remove()

    threads = [
        threading.Thread(target=act, args=("mona", "approve")),
        threading.Thread(target=act, args=("max", "refuse")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes.values()).count("done") == 1, outcomes
    loser = next(message for message in outcomes.values() if message != "done")
    assert loser in (str(queue.DONE), str(queue.TAKEN))
    with world.app.app_context():
        item = db.session.get(QueueItem, item_id)
        assert item.resolved_at is not None and item.resolution in ("approve", "refuse")
        from community.moderation.models import ModerationAction

        assert len(db.session.scalars(select(ModerationAction)).all()) == 1
    assert len(world.audit("moderation.approve")) + len(world.audit("moderation.refuse")) == 1


def test_the_queue_updates_live_for_every_moderator_watching(world):
    mona = socketio.test_client(world.app, flask_test_client=world.client("mona"))
    max_ = socketio.test_client(world.app, flask_test_client=world.client("max"))
    mia = socketio.test_client(world.app, flask_test_client=world.client("mia"))
    assert mona.emit("moderation:join", {"group_id": world.group_id}, callback=True)["ok"]
    assert max_.emit("moderation:join", {"group_id": world.group_id}, callback=True)["ok"]
    refused = mia.emit("moderation:join", {"group_id": world.group_id}, callback=True)
    assert refused["ok"] is False
    assert mia.emit("moderation:join", {"group_id": "x"}, callback=True)["ok"] is False
    for sock in (mona, max_, mia):
        sock.get_received()
    _topic, post_id = world.topic("mia")
    item_id = world.item_id("post", post_id)

    def statuses(sock) -> list[tuple[int, str]]:
        return [(e["args"][0]["item_id"], e["args"][0]["status"]) for e in sock.get_received()
                if e["name"] == "moderation:item"]  # fmt: skip

    assert statuses(mona) == [(item_id, "new")]
    assert statuses(max_) == [(item_id, "new")]
    assert statuses(mia) == []
    world.act("max", item_id, "approve")
    assert statuses(mona) == [(item_id, "resolved")]
    assert statuses(max_) == [(item_id, "resolved")]
    # The list the page fetches again after an event.
    fragment = world.client("mona").get(f"/moderation/g/{world.group_id}?fragment=1").get_data(as_text=True)
    assert "<html" not in fragment and "Nothing is waiting" in fragment
    for sock in (mona, max_, mia):
        sock.disconnect()


def test_queue_figures_show_waiting_oldest_and_median_time_to_first_action(world):
    _topic, post_id = world.topic("mia")
    _add_item(world, kind="report", priority=2, age_minutes=120, target_id=post_id)
    with world.app.app_context():
        now = utcnow()
        for minutes in (10, 20, 30):
            db.session.add(
                QueueItem(
                    group_id=world.group_id,
                    kind="report",
                    priority=2,
                    target_type="post",
                    target_id=post_id,
                    created_at=now - timedelta(hours=5),
                    claimed_at=now - timedelta(hours=5) + timedelta(minutes=minutes),
                    resolved_at=now,
                )
            )
        db.session.commit()
        from community.moderation import figures

        [row] = figures.figures_for([world.group_id], now=now)
        assert row.waiting == 2
        assert 120 * 60 - 5 <= row.oldest_waiting_seconds <= 120 * 60 + 60
        assert row.median_first_action_seconds == 20 * 60
    text = world.client("mona").get("/moderation/").get_data(as_text=True)
    assert "Queue figures" in text and "20 minutes" in text and "2 hours" in text


def test_a_conflict_alert_shows_the_latest_posts_and_is_marked_handled(db_app):
    world = build_world(db_app, premoderation="none")
    topic_id, _opening = world.topic("noah", title="Heated topic")
    world.reply("mia", topic_id, body="No, you are wrong")
    world.reply("lena", topic_id, body="Stop it")
    with world.app.app_context():
        item = QueueItem(group_id=world.group_id, kind="conflict", priority=1, target_type="topic", target_id=topic_id)
        db.session.add(item)
        db.session.commit()
        item_id = item.id
    text = world.client("mona").get(f"/moderation/items/{item_id}").get_data(as_text=True)
    assert "Heated topic" in text and "No, you are wrong" in text and "Mark as handled" in text
    refused = world.act("mona", item_id, "hide", reason="x")
    assert refused.status_code == 400 and "then mark this as handled" in refused.get_data(as_text=True)
    assert world.act("mona", item_id, "dismiss").status_code == 303
    assert world.open_items("topic", topic_id) == []
    [entry] = world.audit("moderation.dismiss")
    assert entry.target_type == "topic" and entry.target_id == topic_id
