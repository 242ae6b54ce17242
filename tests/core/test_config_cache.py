"""Rows read on every request or message are cached per process (core.config_cache): a change committed in
this process shows at once, a change made by another process within CONFIG_CACHE_SECONDS."""

from __future__ import annotations

import time

import pytest
import sqlalchemy as sa

from community.extensions import db
from community.moderation import filters
from community.moderation.filter_models import KeywordFilter
from tests.conftest import _fresh_schema, build_app
from tests.factories import make_group, make_user


@pytest.fixture
def cached_app():
    yield from _fresh_schema(build_app("sqlite://", CONFIG_CACHE_SECONDS=0.5))


def _patterns(group) -> list[str]:
    return [rule.pattern for rule in filters.rules_for(group)]


def test_a_rule_committed_in_this_process_applies_at_once(cached_app):
    with cached_app.app_context():
        group = make_group(make_user("ada", admin=True))
        assert _patterns(group) == []
        db.session.add(KeywordFilter(group_id=group.id, pattern="loser", match="word", action="hold"))
        db.session.commit()
        assert _patterns(group) == ["loser"]
        rule = db.session.scalar(sa.select(KeywordFilter))
        rule.enabled = False
        db.session.commit()
        assert _patterns(group) == []


def test_a_rolled_back_rule_never_shows(cached_app):
    with cached_app.app_context():
        group = make_group(make_user("ada", admin=True))
        assert _patterns(group) == []
        db.session.add(KeywordFilter(group_id=group.id, pattern="loser", match="word", action="hold"))
        db.session.flush()
        db.session.rollback()
        assert _patterns(group) == []


def test_a_rule_written_by_another_process_applies_within_the_cache_time(cached_app):
    with cached_app.app_context():
        group = make_group(make_user("ada", admin=True))
        assert _patterns(group) == []
        # Another server process: a plain statement, which this process's ORM hooks never see.
        db.session.execute(
            sa.insert(KeywordFilter).values(group_id=group.id, pattern="loser", match="word", action="hold")
        )
        db.session.commit()
        assert _patterns(group) == [], "cached: another process's change is not seen at once"
        time.sleep(0.6)
        assert _patterns(group) == ["loser"], "seen once CONFIG_CACHE_SECONDS passed"


def test_cached_rules_are_plain_values_usable_in_any_session(cached_app):
    with cached_app.app_context():
        group = make_group(make_user("ada", admin=True))
        db.session.add(KeywordFilter(group_id=group.id, pattern="loser", match="word", action="refuse"))
        db.session.commit()
        rules = filters.rules_for(group)
        db.session.remove()  # a later request: a new session
        assert [hit.action for hit in filters.matches("you loser", rules)] == ["refuse"]
