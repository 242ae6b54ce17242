"""Keyword and pattern filters: matching, regex safety, and the pages where admins and moderators manage
them (with the "test against sample text" box), audited."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import func, select

from community.core.audit import AuditEntry
from community.core.errors import DomainError
from community.extensions import db
from community.forum.models import Post
from community.moderation import filters
from community.moderation.filter_models import KeywordFilter
from tests.factories import csrf_token, post_form
from tests.moderation.test_pipeline_world import world_fixture  # noqa: F401 (the "world" fixture)

GROUP_FILTERS = "/moderation/g/{slug}/filters"


def rule_count() -> int:
    return db.session.scalar(select(func.count()).select_from(KeywordFilter))


# --- matching ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pattern", "match", "text", "expected"),
    [
        ("loser", "word", "You LOSER!", True),
        ("loser", "word", "closer", False),
        ("loser", "contains", "the losers club", True),
        ("shut up", "word", "just shut\n up", True),
        ("ｂａｄ", "word", "so bad", True),  # full-width letters are their plain forms (NFKC)
        (r"\b\d{4}\s?[a-z]{2}\b", "regex", "we live near 1234 AB", True),
        (r"kill\s+yourself", "regex", "just go kill  yourself", True),
        (r"kill\s+yourself", "regex", "the homework is killing me", False),
    ],
)
def test_rules_match_as_their_kind_says(db_app, pattern, match, text, expected):
    with db_app.app_context():
        assert filters.rule_matches(filters.check_pattern(pattern, match), match, text) is expected


@pytest.mark.parametrize(
    ("pattern", "words"),
    [
        (r"(.)\1", "cannot be used (invalid escape sequence: \\1)"),
        (r"(?<!not )loser", "cannot be used (invalid perl operator: (?<!)"),
        ("[unclosed", "cannot be used (missing ]: [unclosed)"),
        ("a*", "matches empty text"),
        ("x" * 201, "1 to 200 characters"),
    ],
)
def test_unsafe_or_broken_regexes_are_refused_with_a_reason(db_app, pattern, words):
    with db_app.app_context():
        with pytest.raises(DomainError) as refused:
            filters.check_pattern(pattern, "regex")
        assert words in refused.value.message and refused.value.field == "pattern"


def test_a_regex_only_searches_the_configured_length_of_text(db_app):
    with db_app.app_context():
        db_app.config["MODERATION_REGEX_TEXT_MAX"] = 100
        assert not filters.rule_matches("needle", "regex", "x" * 150 + "needle")
        assert filters.rule_matches("needle", "regex", "x" * 50 + "needle")


def test_matching_many_rules_on_a_long_hostile_text_stays_fast(db_app):
    with db_app.app_context():
        for number in range(200):
            db.session.add(KeywordFilter(pattern=rf"word{number}\s+\w+", match="regex", action="hold"))
            db.session.add(KeywordFilter(pattern=f"phrase number {number}", match="word", action="hold"))
        db.session.commit()
        rules = filters.rules_for(None)
        started = time.perf_counter()
        assert filters.matches("a" * 20_000, rules) == []
        assert time.perf_counter() - started < 2.0


# --- the pages ------------------------------------------------------------------------------------------------


def test_a_moderator_adds_a_group_filter_which_is_audited_and_then_refuses_a_reply(world):
    url = GROUP_FILTERS.format(slug=world.slug)
    mia = world.client("mia")
    assert mia.get(url).status_code == 200
    data = {"pattern": "loser", "match": "word", "action": "refuse", "reason": "Be kind.", "enabled": "y"}
    response = post_form(mia, url, {**data, "submit": "1"})
    assert response.status_code == 303
    with world.app.app_context():
        rule = db.session.scalar(select(KeywordFilter))
        assert (rule.group_id, rule.action, rule.created_by_id) == (world.group_id, "refuse", world.ids["mia"])
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "filter.created"))
        assert (entry.actor_id, entry.target_id, entry.group_id) == (world.ids["mia"], rule.id, world.group_id)
        assert "loser" not in str(entry.payload()), "the audit row keeps settings, not the pattern"
    topic_id = world.topic("noor")
    topic_url = f"/g/{world.slug}/t/{topic_id}"
    refused = post_form(world.client("sam"), f"{topic_url}/reply", {"body": "You loser"}, form_page=topic_url)
    assert refused.status_code == 400 and "Be kind." in refused.get_data(as_text=True)
    with world.app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Post).where(Post.author_id == world.ids["sam"])) == 0


def test_the_sample_box_shows_matches_without_saving_anything(world):
    url = GROUP_FILTERS.format(slug=world.slug)
    mia = world.client("mia")
    with world.app.app_context():
        db.session.add(KeywordFilter(pattern="payday", match="word", action="hold", reason="Spam?"))
        db.session.commit()
    data = {"pattern": "loser", "match": "word", "action": "hold", "sample": "What a loser, payday now", "test": "1"}
    response = post_form(mia, url, data)
    text = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "The filter above matches the sample." in text
    assert "Spam?" in text and "for all groups" in text
    no_match = post_form(mia, url, {**data, "sample": "Hello there"}).get_data(as_text=True)
    assert "The filter above does not match the sample." in no_match
    assert "No saved filter matches the sample." in no_match
    with world.app.app_context():
        assert rule_count() == 1


def test_a_regex_re2_cannot_run_is_refused_on_the_form_and_nothing_is_stored(world):
    url = GROUP_FILTERS.format(slug=world.slug)
    data = {"pattern": "(?=a)b", "match": "regex", "action": "hold", "submit": "1"}
    response = post_form(world.client("mia"), url, data)
    text = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'id="pattern-error"' in text and "cannot be used" in text
    tested = post_form(world.client("mia"), url, {**data, "sample": "aaaa", "test": "1", "submit": ""})
    assert tested.status_code == 400 and "cannot be used" in tested.get_data(as_text=True)
    with world.app.app_context():
        assert rule_count() == 0
        assert (
            db.session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action.like("filter.%")))
            == 0
        )


def test_members_and_outsiders_cannot_reach_filters_and_only_admins_manage_instance_filters(world):
    url = GROUP_FILTERS.format(slug=world.slug)
    assert world.client("sam").get(url).status_code == 404
    assert world.client("otto").get(url).status_code == 404
    assert world.client("mia").get("/moderation/filters").status_code == 404
    ada = world.client("ada")
    assert ada.get(url).status_code == 200, "admins manage any group's filters"
    data = {"pattern": "casino", "match": "contains", "action": "hold", "enabled": "y", "submit": "1"}
    assert post_form(ada, "/moderation/filters", data).status_code == 303
    with world.app.app_context():
        rule = db.session.scalar(select(KeywordFilter))
        assert rule.group_id is None
    # A moderator cannot change an instance filter through their group's address.
    assert world.client("mia").get(f"{url}/{rule.id}").status_code == 404


def test_a_filter_is_changed_and_deleted_with_audit_rows(world):
    url = GROUP_FILTERS.format(slug=world.slug)
    mia = world.client("mia")
    post_form(mia, url, {"pattern": "loser", "match": "word", "action": "hold", "enabled": "y", "submit": "1"})
    with world.app.app_context():
        rule_id = db.session.scalar(select(KeywordFilter.id))
    edit_url = f"{url}/{rule_id}"
    assert 'value="loser"' in mia.get(edit_url).get_data(as_text=True)
    changed = post_form(mia, edit_url, {"pattern": "losers?", "match": "regex", "action": "refuse", "submit": "1"})
    assert changed.status_code == 303
    with world.app.app_context():
        rule = db.session.get(KeywordFilter, rule_id)
        assert (rule.pattern, rule.match, rule.action, rule.enabled) == ("losers?", "regex", "refuse", False)
    deleted = mia.post(f"{edit_url}/delete", data={"csrf_token": csrf_token(mia, url)})
    assert deleted.status_code == 303
    with world.app.app_context():
        assert rule_count() == 0
        actions = list(db.session.scalars(select(AuditEntry.action).where(AuditEntry.target_type == "filter")))
        assert actions == ["filter.created", "filter.updated", "filter.deleted"]


def test_a_switched_off_filter_does_not_apply(world):
    with world.app.app_context():
        db.session.add(KeywordFilter(pattern="loser", match="word", action="refuse", enabled=False))
        db.session.commit()
        assert world.screen("sam", "loser").verdict == "publish"


def test_a_hold_filter_holds_a_chat_message(world):
    with world.app.app_context():
        db.session.add(KeywordFilter(pattern="casino", match="contains", action="hold", reason="Spam?"))
        db.session.commit()
    message_id = world.message("sam", "Best CASINOS here", "c-1")
    with world.app.app_context():
        from community.chat.models import Message
        from community.moderation.models import QueueItem

        assert db.session.get(Message, message_id).state == "held"
        assert db.session.scalar(select(QueueItem.reason).where(QueueItem.target_id == message_id)) == "Spam?"
