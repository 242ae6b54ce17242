"""The moderation pipeline's rules, in order: member state, pre-moderation, filters, new-member limits,
safeguarding (never dropped), personal details. Through ``screen`` and through the forum and chat services."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from community.core.time import utcnow
from community.extensions import db
from community.forum.models import Post
from community.moderation import safeguarding
from community.moderation import services as pipeline
from community.moderation.filter_models import GroupModerationSettings, KeywordFilter
from community.moderation.models import PRIORITY_HIGH, PRIORITY_URGENT, QueueItem
from community.moderation.personal_details import PersonalDetailsWarning
from tests.factories import post_form
from tests.moderation.test_pipeline_world import world_fixture  # noqa: F401 (the "world" fixture)


def add_filter(pattern: str, *, action: str = "hold", match: str = "word", group_id=None, reason: str = "") -> None:
    db.session.add(KeywordFilter(pattern=pattern, match=match, action=action, reason=reason, group_id=group_id))
    db.session.commit()


def make_seasoned(world, name: str) -> None:
    """Joined long ago, with enough published posts: no longer a new member."""
    membership = world.membership(name)
    membership.joined_at = utcnow() - timedelta(days=90)
    db.session.commit()


class Crisis:
    """A stand-in signal: the safeguarding phrase lists are tested on their own (test_safeguarding_*)."""

    category = "suicide"
    severity = "high"
    language = "en"
    notice = "Call 113 or 0800-0113."


@pytest.fixture
def crisis_on(monkeypatch):
    """``assess`` recognises the word "CRISIS"; ``open_case_for_held`` calls are recorded."""
    opened = []
    monkeypatch.setattr(safeguarding, "assess", lambda text, languages: Crisis() if "CRISIS" in text else None)
    monkeypatch.setattr(
        safeguarding, "open_case_for_held", lambda item, signal, writer: opened.append((item.id, writer.id))
    )
    return opened


def test_a_plain_post_is_published_with_no_category(world):
    with world.app.app_context():
        screening = world.screen("sam", "Thank you all for listening yesterday.")
        assert (screening.verdict, screening.category, screening.state) == ("publish", "", "published")


def test_an_unknown_kind_is_a_programming_error(world):
    with world.app.app_context(), pytest.raises(ValueError):
        world.screen("sam", "Hello", kind="poem")


def test_a_muted_member_is_refused_until_the_mute_ends(world):
    with world.app.app_context():
        membership = world.membership("sam")
        membership.state, membership.state_until = "muted", utcnow() + timedelta(hours=1)
        db.session.commit()
        screening = world.screen("sam", "Hello")
        assert (screening.verdict, screening.category) == ("refuse", "member_state")
        assert "muted" in screening.reason
        membership.state_until = utcnow() - timedelta(minutes=1)
        db.session.commit()
        assert world.screen("sam", "Hello").verdict == "publish", "a mute whose time has passed no longer counts"


def test_a_suspended_member_is_refused(world):
    with world.app.app_context():
        world.membership("sam").state = "suspended"
        db.session.commit()
        assert world.screen("sam", "Hello").category == "member_state"


def test_premoderation_all_holds_and_new_members_first_posts_are_held(world):
    with world.app.app_context():
        group = world.group()
        group.premoderation = "all"
        db.session.commit()
        screening = world.screen("sam", "Hello")
        assert (screening.verdict, screening.category) == ("hold", "premoderation")
        assert world.screen("mia", "Hello").verdict == "publish", "moderators are not pre-moderated"
        group.premoderation, group.premoderation_first_posts = "new_members", 1
        db.session.commit()
        assert world.screen("sam", "Hello", kind="topic").category == "premoderation"
        assert world.screen("sam", "Hello", kind="message").category == "premoderation", "chat is checked too"


def test_an_instance_filter_holds_and_a_group_filter_refuses_with_its_reason(world):
    with world.app.app_context():
        add_filter("payday loan", action="hold")
        add_filter("idiot", action="refuse", group_id=world.group_id, reason="Please talk about the behaviour.")
        held = world.screen("sam", "Anyone tried a PAYDAY   loan?")
        assert (held.verdict, held.category, held.priority) == ("hold", "filter", PRIORITY_HIGH)
        refused = world.screen("sam", "What an idiot.")
        assert (refused.verdict, refused.category, refused.reason) == (
            "refuse",
            "filter",
            "Please talk about the behaviour.",
        )
        assert world.screen("sam", "idiotic").verdict == "publish", "a whole-word rule does not match inside words"
        assert world.screen("mia", "What an idiot.").verdict == "publish", "moderators are not filtered"


def test_a_refusing_filter_wins_over_a_pre_moderation_hold(world):
    with world.app.app_context():
        world.group().premoderation = "all"
        add_filter("idiot", action="refuse")
        assert world.screen("sam", "idiot").verdict == "refuse"


def test_another_groups_filter_does_not_apply(world):
    with world.app.app_context():
        other = db.session.scalar(select(pipeline.Group).where(pipeline.Group.slug != world.slug))
        add_filter("idiot", action="refuse", group_id=other.id)
        assert world.screen("sam", "idiot").verdict == "publish"


def test_new_members_have_link_and_mention_limits_that_a_group_can_change(world):
    with world.app.app_context():
        two_links = "See https://example.org/a and www.example.com/b"
        refused = world.screen("sam", two_links)
        assert (refused.verdict, refused.category) == ("refuse", "limits")
        assert "at most 1 link" in refused.reason and "has 2" in refused.reason
        mentions = "@Noor @Mia @Sam @Ada thoughts?"
        assert world.screen("sam", mentions).category == "limits"
        db.session.add(GroupModerationSettings(group_id=world.group_id, new_member_max_links=2))
        db.session.commit()
        assert world.screen("sam", two_links).verdict == "publish", "the group's own count applies"


def test_a_member_who_joined_long_ago_and_has_posts_is_not_new(world):
    topic_id = world.topic("sam")
    for number in range(4):
        world.reply("sam", topic_id, body=f"Reply {number}")
    with world.app.app_context():
        make_seasoned(world, "sam")
        assert world.screen("sam", "See https://a.example.org and https://b.example.org").verdict == "publish"
        make_seasoned(world, "noor")  # long ago, but no posts yet: still new
        assert world.screen("noor", "See https://a.example.org and https://b.example.org").verdict == "refuse"


def test_safeguarding_holds_urgently_with_the_helpline_even_when_a_filter_refuses(world, crisis_on):
    with world.app.app_context():
        add_filter("stupid", action="refuse")
        screening = world.screen("sam", "I feel stupid, CRISIS")
        assert (screening.verdict, screening.category, screening.priority) == ("hold", "safeguarding", PRIORITY_URGENT)
        assert screening.notices == ("Call 113 or 0800-0113.",)
        assert screening.signal.category == "suicide"


def test_safeguarding_is_not_dropped_for_a_muted_member_or_by_the_link_limit(world, crisis_on):
    with world.app.app_context():
        assert world.screen("sam", "CRISIS https://a.example https://b.example").category == "safeguarding"
        world.membership("sam").state = "muted"
        db.session.commit()
        assert world.screen("sam", "CRISIS").category == "safeguarding"


def test_a_safeguarding_reply_is_stored_held_urgent_and_a_case_opens(world, crisis_on):
    topic_id = world.topic("noor")
    response = post_form(
        world.client("sam"),
        f"/g/{world.slug}/t/{topic_id}/reply",
        {"body": "I can't go on. CRISIS"},
        form_page=f"/g/{world.slug}/t/{topic_id}",
    )
    assert response.status_code == 303
    page = world.client("sam").get(response.headers["Location"]).get_data(as_text=True)
    assert "Call 113 or 0800-0113." in page, "the writer sees the helplines at once"
    with world.app.app_context():
        post = db.session.scalar(select(Post).where(Post.author_id == world.ids["sam"]))
        item = db.session.scalar(select(QueueItem).where(QueueItem.target_id == post.id))
        assert (post.state, item.priority, item.kind) == ("held", PRIORITY_URGENT, "held")
        assert crisis_on == [(item.id, world.ids["sam"])]


def test_a_safeguarding_chat_message_opens_a_case_too(world, crisis_on):
    message_id = world.message("sam", "CRISIS tonight", "c-1")
    with world.app.app_context():
        item = db.session.scalar(select(QueueItem).where(QueueItem.target_type == "message"))
        assert (item.target_id, item.priority) == (message_id, PRIORITY_URGENT)
        assert crisis_on == [(item.id, world.ids["sam"])]


def test_personal_details_warn_unless_confirmed_and_callers_without_a_warning_step_publish(world):
    with world.app.app_context():
        text = "Call me on 06-12345678"
        with pytest.raises(PersonalDetailsWarning) as warning:
            world.screen("sam", text, personal_details_confirmed=False)
        assert warning.value.kinds == ("phone",) and warning.value.field == "body"
        confirmed = world.screen("sam", text, personal_details_confirmed=True)
        assert (confirmed.verdict, confirmed.personal_details) == ("publish", ("phone",))
        assert world.screen("sam", text).verdict == "publish"
        assert world.screen("mia", text, personal_details_confirmed=False).verdict == "publish"


def test_a_group_can_hold_personal_details_instead(world):
    with world.app.app_context():
        db.session.add(GroupModerationSettings(group_id=world.group_id, personal_details_mode="hold"))
        db.session.commit()
        screening = world.screen("sam", "We live at Kerkstraat 12", personal_details_confirmed=True)
        assert (screening.verdict, screening.category) == ("hold", "personal_details")
        assert "street address" in screening.reason and "Kerkstraat" not in screening.reason


def test_profile_text_and_display_names_pass_instance_filters_and_safeguarding(world, crisis_on):
    with world.app.app_context():
        add_filter("idiot", action="refuse", reason="Not in a name, please.")
        add_filter("group only", action="refuse", group_id=world.group_id)
        assert world.screen("sam", "Idiot King", kind="display_name").reason == "Not in a name, please."
        user = world.user("sam")
        assert pipeline.screen(user, None, None, "group only", kind="profile").verdict == "publish"
    client = world.client("sam")
    form = {"display_name": "Idiot King", "language": "en", "bio": ""}
    response = post_form(client, "/account/profile", form)
    assert response.status_code == 400 and "Not in a name, please." in response.get_data(as_text=True)
    response = post_form(client, "/account/profile", {"display_name": "Sam", "language": "en", "bio": "CRISIS"})
    assert response.status_code == 302
    assert "Call 113 or 0800-0113." in client.get(response.headers["Location"]).get_data(as_text=True)
    with world.app.app_context():
        assert world.user("sam").bio == "CRISIS", "crisis language is never refused, the profile is saved"
        item = db.session.scalar(select(QueueItem).where(QueueItem.target_type == "user"))
        assert (item.target_id, item.priority, item.group_id) == (world.ids["sam"], PRIORITY_URGENT, world.group_id)
        assert crisis_on == [(item.id, world.ids["sam"])]


def test_links_and_mentions_in_code_do_not_count_towards_the_limits(world):
    with world.app.app_context():
        text = "Try `@Noor @Mia @Sam @Ada` like this:\n\n    https://a.example https://b.example\n\n[ask @Noor](https://x.example/@Mia)"
        assert world.screen("sam", text).verdict == "publish"
