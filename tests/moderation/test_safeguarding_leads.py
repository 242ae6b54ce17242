"""Safeguarding leads: a case nobody took within the group's response time goes to the tier-1 lead on call, then
to tier 2 (with a controlled clock); nothing is told twice; a taken case stops; the rota chooses who is on call;
a lead of another group gets nothing and cannot open the case; the pages refuse an ineligible lead and a bad
rota period with nothing stored; and every change writes its audit row. On SQLite and PostgreSQL."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from community.auth.models import User
from community.core.time import utcnow
from community.extensions import db
from community.forum.models import Post
from community.groups.access_log import AccessLogEntry
from community.groups.models import Group, Membership
from community.moderation.safeguarding import escalation, leads
from community.moderation.safeguarding.models import SafeguardingCase, SafeguardingLead, SafeguardingRotaEntry
from community.notifications.models import Notification
from community.privacy import erasure
from community.privacy.models import DataExport
from tests.factories import add_to_group, csrf_token, make_user, post_form
from tests.moderation.leads_world import add_lead, add_rota
from tests.moderation.safeguarding_world import audit_rows, cases, safeguarding_world, topic_form

GROUP_PAGE = "/moderation/g/{slug}/safeguarding-leads"
INSTALLATION_PAGE = "/moderation/safeguarding/leads"


@pytest.fixture
def world(db_app):
    """The safeguarding world (group "Young people": sam, noor, the moderator youthworker; "Elsewhere": otto and
    elsewhere_mod), plus boss (the group's manager), the professionals carer and carer2 and the tier-2 lead
    senior in the group, and instlead, a professional of the other group."""
    world = safeguarding_world(db_app)
    with db_app.app_context():
        admin = db.session.get(User, world.ids["admin"])
        group, other = db.session.get(Group, world.group_id), db.session.get(Group, world.other_group_id)
        for username, where, role in (
            ("boss", group, "manager"),
            ("carer", group, "professional"),
            ("carer2", group, "professional"),
            ("senior", group, "professional"),
            ("instlead", other, "professional"),
        ):
            person = make_user(username, email=f"{username}@example.org")
            add_to_group(admin, where, person)
            # The staff roles (groups.policy.ROLES) are set on the membership directly: adding people as managers
            # or professionals is groups' business, not what these tests are about.
            db.session.execute(
                update(Membership)
                .where(Membership.user_id == person.id, Membership.group_id == where.id)
                .values(role=role)
            )
            db.session.commit()
            world.ids[username] = person.id
    yield world
    world.close()


def _people(world, *usernames: str) -> list[User]:
    return [db.session.get(User, world.ids[name]) for name in usernames]


def _group(world, other: bool = False) -> Group:
    return db.session.get(Group, world.other_group_id if other else world.group_id)


def _make_leads(world, *pairs: tuple[str, int], installation: tuple[tuple[str, int], ...] = ()) -> None:
    with world.app.app_context():
        [admin] = _people(world, "admin")
        for username, tier in pairs:
            add_lead(admin, _group(world), *_people(world, username), tier)
        for username, tier in installation:
            add_lead(admin, None, *_people(world, username), tier)
        db.session.commit()


def _raise_case(world) -> int:
    """Noor's worry about sam's post: a "concern" case with the group's response time."""
    response = topic_form(world.http("sam"), world.slug, "Rough day at school, but I'm managing.", title="School")
    assert response.status_code == 200
    with world.app.app_context():
        post_id = db.session.scalar(select(Post.id).where(Post.author_id == world.ids["sam"]).order_by(Post.id.desc()))
    path = f"/g/{world.slug}/posts/{post_id}/worried"
    assert post_form(world.http("noor"), path, {"note": "Sam wrote about pills."}).status_code == 303
    return cases(world.app)[-1].id


def _told(world, username: str) -> list[int]:
    with world.app.app_context():
        return list(
            db.session.scalars(
                select(Notification.target_id).where(
                    Notification.user_id == world.ids[username], Notification.kind == "safeguarding_escalation"
                )
            )
        )


def _escalate(world, at) -> int:
    with world.app.app_context():
        return escalation.escalate_to_leads(at)


def _mails_to(world, username: str) -> list:
    return [
        mail for mail in world.app.extensions.setdefault("kring_outbox", []) if mail["To"] == f"{username}@example.org"
    ]


# --- the escalation timeline ---------------------------------------------------------------------------------


def test_an_untaken_case_goes_to_the_tier_1_lead_then_tier_2_each_once(world):
    _make_leads(world, ("carer", 1), ("senior", 2), installation=(("instlead", 1),))
    boss = world.http("boss")
    page = GROUP_PAGE.format(slug=world.slug)
    response = post_form(boss, page + "/response-time", {"acute_minutes": "5", "concern_minutes": "10"}, form_page=page)
    assert response.status_code == 303
    case_id = _raise_case(world)
    [case] = cases(world.app)
    assert case.due_at - case.opened_at == timedelta(minutes=10), "the group's own response time"
    due = case.due_at

    assert _escalate(world, due - timedelta(minutes=1)) == 0, "not yet due"
    assert _escalate(world, due + timedelta(minutes=1)) == 1
    assert _escalate(world, due + timedelta(minutes=1)) == 0, "nothing twice"
    assert _told(world, "carer") == [case_id] and _told(world, "senior") == []
    assert _told(world, "instlead") == [], "the group has a tier-1 lead of its own"
    [mail] = _mails_to(world, "carer")
    body = mail.get_content()
    assert f"/moderation/safeguarding/{case_id}" in body and "safeguarding lead" in body
    assert "pills" not in body and "Sam" not in body and "Young people" not in body
    [case] = cases(world.app)
    assert case.escalation_level == 1 and case.escalation_level_at == due + timedelta(minutes=1)
    step = audit_rows(world.app, "safeguarding.case_escalated_to_lead")[-1]
    assert step.target_id == case_id and step.details["tier"] == 1 and step.details["told"] == [world.ids["carer"]]

    tier_1_at = due + timedelta(minutes=1)
    assert _escalate(world, tier_1_at + timedelta(minutes=9)) == 0, "one more response period first"
    assert _escalate(world, tier_1_at + timedelta(minutes=10)) == 1
    assert _escalate(world, tier_1_at + timedelta(minutes=11)) == 0
    assert _escalate(world, tier_1_at + timedelta(days=2)) == 0, "tier 2 is the last step"
    assert _told(world, "senior") == [case_id] and _told(world, "carer") == [case_id]
    assert len(_mails_to(world, "senior")) == 1 and len(_mails_to(world, "carer")) == 1
    [case] = cases(world.app)
    assert case.escalation_level == 2
    steps = audit_rows(world.app, "safeguarding.case_escalated_to_lead")
    assert [row.details["tier"] for row in steps] == [1, 2]
    assert steps[-1].details["told"] == [world.ids["senior"]]


def test_the_command_runs_the_ladder_and_tells_nobody_twice(world):
    _make_leads(world, ("carer", 1))
    case_id = _raise_case(world)
    with world.app.app_context():
        db.session.execute(
            update(SafeguardingCase)
            .where(SafeguardingCase.id == case_id)
            .values(due_at=utcnow() - timedelta(minutes=1))
        )
        db.session.commit()
    runner = world.app.test_cli_runner()
    assert "Told the safeguarding leads 1 time(s)." in runner.invoke(args=["safeguarding", "escalate"]).output
    assert "Told the safeguarding leads 0 time(s)." in runner.invoke(args=["safeguarding", "escalate"]).output
    assert _told(world, "carer") == [case_id] and len(_mails_to(world, "carer")) == 1


def test_without_group_leads_the_installation_lead_is_told_and_an_empty_tier_passes_on(world):
    _make_leads(world, ("senior", 2), installation=(("instlead", 1),))
    case_id = _raise_case(world)
    [case] = cases(world.app)
    assert _escalate(world, case.due_at + timedelta(minutes=1)) == 1
    assert _told(world, "instlead") == [case_id], "no tier-1 lead of the group's own: the installation's"
    assert _told(world, "senior") == []


def test_a_tier_with_nobody_goes_on_to_the_next_at_once(world):
    _make_leads(world, ("senior", 2))
    case_id = _raise_case(world)
    [case] = cases(world.app)
    assert _escalate(world, case.due_at + timedelta(minutes=1)) == 1
    assert _told(world, "senior") == [case_id]
    [case] = cases(world.app)
    assert case.escalation_level == 2


def test_a_taken_case_stops_the_ladder_and_the_lead_may_open_and_take_it(world):
    _make_leads(world, ("carer", 1), ("senior", 2))
    case_id = _raise_case(world)
    path = f"/moderation/safeguarding/{case_id}"
    carer = world.http("carer")
    assert carer.get(path).status_code == 404, "a lead sees nothing before the case reaches them"
    [case] = cases(world.app)
    assert _escalate(world, case.due_at + timedelta(minutes=1)) == 1
    assert world.http("senior").get(path).status_code == 404, "tier 2 only from the second step"

    page = carer.get(path)
    assert page.status_code == 200 and "Take this case" in page.get_data(as_text=True)
    assert "This case reached you as a safeguarding lead" in page.get_data(as_text=True)
    viewed = audit_rows(world.app, "safeguarding.case_viewed")[-1]
    assert viewed.actor_id == world.ids["carer"] and viewed.reason == "safeguarding lead"
    with world.app.app_context():
        line = db.session.scalars(select(AccessLogEntry).order_by(AccessLogEntry.id.desc())).first()
        assert (line.staff_id, line.subject_id, line.role) == (world.ids["carer"], world.ids["sam"], "lead")
    response = carer.post(f"{path}/take", data={"csrf_token": csrf_token(carer, path)})
    assert response.status_code == 303
    taken = audit_rows(world.app, "safeguarding.case_taken")[-1]
    assert taken.actor_id == world.ids["carer"] and taken.details["as_lead"] is True
    [case] = cases(world.app)
    assert case.taken_by_id == world.ids["carer"]
    assert _escalate(world, case.due_at + timedelta(days=1)) == 0, "a taken case goes no further"
    assert _told(world, "senior") == []


def test_a_lead_of_another_group_gets_nothing_and_cannot_open_the_case(world):
    _make_leads(world, ("carer", 1))
    with world.app.app_context():
        [admin, elsewhere] = _people(world, "admin", "elsewhere_mod")
        add_lead(admin, _group(world, other=True), elsewhere, 1)
        db.session.commit()
    case_id = _raise_case(world)
    [case] = cases(world.app)
    assert _escalate(world, case.due_at + timedelta(minutes=1)) == 1
    assert _told(world, "elsewhere_mod") == []
    path = f"/moderation/safeguarding/{case_id}"
    other = world.http("elsewhere_mod")
    assert other.get(path).status_code == 404
    assert (
        other.post(f"{path}/take", data={"csrf_token": csrf_token(other, "/moderation/safeguarding")}).status_code
        == 404
    )
    assert world.http("noor").get(path).status_code == 404, "members gain nothing"
    [case] = cases(world.app)
    assert case.taken_by_id is None


def test_a_lead_who_is_no_longer_staff_is_neither_told_nor_let_in(world):
    _make_leads(world, ("carer", 1), installation=(("instlead", 1),))
    from tests.chat.helpers import set_membership

    set_membership(world.app, world, "carer", role="member")
    case_id = _raise_case(world)
    [case] = cases(world.app)
    assert _escalate(world, case.due_at + timedelta(minutes=1)) == 1
    assert _told(world, "carer") == [] and _told(world, "instlead") == [case_id]
    assert world.http("carer").get(f"/moderation/safeguarding/{case_id}").status_code == 404
    assert world.http("instlead").get(f"/moderation/safeguarding/{case_id}").status_code == 200


# --- the rota ---------------------------------------------------------------------------------------------------


def test_the_rota_chooses_who_is_on_call(world):
    _make_leads(world, ("carer", 1), ("carer2", 1))
    now = utcnow()
    with world.app.app_context():
        [admin] = _people(world, "admin")
        group = _group(world)
        second = db.session.scalar(select(SafeguardingLead).where(SafeguardingLead.user_id == world.ids["carer2"]))
        add_rota(admin, group, second, now - timedelta(hours=1), now + timedelta(hours=1))
        db.session.commit()
        on_call = [user.username for user in leads.on_call_now(group, 1, now)]
        later = sorted(user.username for user in leads.on_call_now(group, 1, now + timedelta(hours=2)))
    assert on_call == ["carer2"], "the period covering now"
    assert later == ["carer", "carer2"], "nobody's period covers it: every lead of the tier"
    page = world.http("boss").get(GROUP_PAGE.format(slug=world.slug)).get_data(as_text=True)
    on_call_part = page.split('id="on-call"')[1].split("</section>")[0]
    assert "Carer2" in on_call_part and "Carer," not in on_call_part


# --- the pages: who may, what is refused -------------------------------------------------------------------------


def _lead_rows(world) -> list[tuple[int | None, int, int]]:
    with world.app.app_context():
        return list(
            db.session.execute(select(SafeguardingLead.group_id, SafeguardingLead.user_id, SafeguardingLead.tier))
        )


def test_the_manager_names_the_groups_leads_and_rota_and_each_change_is_audited(world):
    boss = world.http("boss")
    page = GROUP_PAGE.format(slug=world.slug)
    assert boss.get(page).status_code == 200
    assert world.http("youthworker").get(page).status_code == 404, "a moderator is not a manager"
    assert world.http("carer").get(INSTALLATION_PAGE).status_code == 404
    response = post_form(boss, page + "/add", {"username": "carer", "tier": "1", "reason": "Trained"}, form_page=page)
    assert response.status_code == 303
    assert _lead_rows(world) == [(world.group_id, world.ids["carer"], 1)]
    added = audit_rows(world.app, "safeguarding.lead_added")[-1]
    assert added.actor_id == world.ids["boss"] and added.reason == "Trained" and added.group_id == world.group_id
    with world.app.app_context():
        lead_id = db.session.scalar(select(SafeguardingLead.id))
    data = {"lead_id": str(lead_id), "starts_at": "2030-01-06T09:00", "ends_at": "2030-01-13T09:00", "reason": "Week 2"}
    assert post_form(boss, page.replace("leads", "rota") + "/add", data, form_page=page).status_code == 303
    with world.app.app_context():
        entry = db.session.scalar(select(SafeguardingRotaEntry))
        assert entry.starts_at.isoformat() == "2030-01-06T08:00:00", "Amsterdam time, stored as UTC"
        entry_id = entry.id
    rota = audit_rows(world.app, "safeguarding.rota_added")[-1]
    assert rota.reason == "Week 2" and rota.details["lead_id"] == lead_id
    assert "Carer" in boss.get(page).get_data(as_text=True)

    remove = page.replace("leads", "rota") + f"/{entry_id}/remove"
    assert post_form(boss, remove, {"reason": "Swapped"}, form_page=page).status_code == 303
    assert audit_rows(world.app, "safeguarding.rota_removed")[-1].reason == "Swapped"
    assert post_form(boss, page + f"/{lead_id}/remove", {"reason": "Left"}, form_page=page).status_code == 303
    removed = audit_rows(world.app, "safeguarding.lead_removed")[-1]
    assert removed.reason == "Left" and removed.details["user_id"] == world.ids["carer"]
    assert _lead_rows(world) == []


def test_the_admin_names_installation_leads(world):
    admin = world.http("admin")
    data = {"username": "instlead", "tier": "2", "reason": "Safeguarding officer"}
    assert post_form(admin, INSTALLATION_PAGE + "/add", data, form_page=INSTALLATION_PAGE).status_code == 303
    assert _lead_rows(world) == [(None, world.ids["instlead"], 2)]
    row = audit_rows(world.app, "safeguarding.lead_added")[-1]
    assert row.target_type == "installation" and row.group_id is None and row.reason == "Safeguarding officer"


@pytest.mark.parametrize(
    ("page", "who", "username", "message"),
    [
        (GROUP_PAGE, "boss", "noor", "must be one of its professionals, moderators or managers"),
        (GROUP_PAGE, "boss", "elsewhere_mod", "must be one of its professionals, moderators or managers"),
        (GROUP_PAGE, "boss", "nobody-here", "could not find an account"),
        (INSTALLATION_PAGE, "admin", "noor", "An installation lead must be an admin"),
    ],
)
def test_adding_a_lead_who_is_not_eligible_is_refused_with_nothing_stored(world, page, who, username, message):
    client = world.http(who)
    path = page.format(slug=world.slug)
    response = post_form(
        client, path + "/add", {"username": username, "tier": "1", "reason": "Why not"}, form_page=path
    )
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert _lead_rows(world) == [] and audit_rows(world.app, "safeguarding.lead_") == []


def test_a_lead_needs_a_reason_a_tier_and_is_named_once(world):
    boss, path = world.http("boss"), GROUP_PAGE.format(slug=world.slug)
    no_reason = post_form(boss, path + "/add", {"username": "carer", "tier": "1", "reason": " "}, form_page=path)
    assert no_reason.status_code == 400 and "Say why" in no_reason.get_data(as_text=True)
    no_tier = post_form(boss, path + "/add", {"username": "carer", "reason": "Trained"}, form_page=path)
    assert no_tier.status_code == 400 and "Choose tier 1 or tier 2" in no_tier.get_data(as_text=True)
    assert _lead_rows(world) == []
    _make_leads(world, ("carer", 1))
    twice = post_form(boss, path + "/add", {"username": "carer", "tier": "2", "reason": "Again"}, form_page=path)
    assert twice.status_code == 400 and "already a lead here" in twice.get_data(as_text=True)
    assert _lead_rows(world) == [(world.group_id, world.ids["carer"], 1)]


@pytest.mark.parametrize(
    ("starts_at", "ends_at", "message"),
    [
        ("2030-01-02T09:00", "2030-01-01T09:00", "The period must end after it starts."),
        ("2030-01-01T09:00", "2030-01-01T09:00", "The period must end after it starts."),
        ("2020-01-01T09:00", "2020-01-02T09:00", "That period has already ended."),
        ("2030-13-45T09:00", "2030-01-02T09:00", "Not a valid datetime value."),
        ("", "2030-01-02T09:00", "Enter when the period starts."),
    ],
)
def test_a_bad_rota_period_is_refused_with_nothing_stored(world, starts_at, ends_at, message):
    _make_leads(world, ("carer", 1))
    with world.app.app_context():
        lead_id = db.session.scalar(select(SafeguardingLead.id))
    boss, path = world.http("boss"), GROUP_PAGE.format(slug=world.slug)
    data = {"lead_id": str(lead_id), "starts_at": starts_at, "ends_at": ends_at, "reason": "Rota"}
    response = post_form(boss, path.replace("leads", "rota") + "/add", data, form_page=path)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    with world.app.app_context():
        assert db.session.scalar(select(SafeguardingRotaEntry.id)) is None
    assert audit_rows(world.app, "safeguarding.rota_") == []


def test_a_lead_of_another_scope_cannot_be_put_on_this_rota(world):
    _make_leads(world, installation=(("instlead", 1),))
    with world.app.app_context():
        lead_id = db.session.scalar(select(SafeguardingLead.id))
    boss, path = world.http("boss"), GROUP_PAGE.format(slug=world.slug)
    data = {"lead_id": str(lead_id), "starts_at": "2030-01-01T09:00", "ends_at": "2030-01-02T09:00", "reason": "x"}
    response = post_form(boss, path.replace("leads", "rota") + "/add", data, form_page=path)
    assert response.status_code == 400 and "Choose a lead from the list." in response.get_data(as_text=True)
    with world.app.app_context():
        assert db.session.scalar(select(SafeguardingRotaEntry.id)) is None


def test_response_times_are_checked_and_audited(world):
    boss, path = world.http("boss"), GROUP_PAGE.format(slug=world.slug)
    bad = post_form(boss, path + "/response-time", {"acute_minutes": "0", "concern_minutes": ""}, form_page=path)
    assert bad.status_code == 400 and "from 1 to 10080" in bad.get_data(as_text=True)
    assert audit_rows(world.app, "safeguarding.response_time_changed") == []
    good = post_form(boss, path + "/response-time", {"acute_minutes": "5", "concern_minutes": ""}, form_page=path)
    assert good.status_code == 303
    [row] = audit_rows(world.app, "safeguarding.response_time_changed")
    assert row.actor_id == world.ids["boss"] and row.details == {"acute_minutes": 5}
    again = post_form(boss, path + "/response-time", {"acute_minutes": "5", "concern_minutes": ""}, form_page=path)
    assert again.status_code == 303 and len(audit_rows(world.app, "safeguarding.response_time_changed")) == 1


# --- the lead's own data ------------------------------------------------------------------------------------------


def test_a_lead_finds_it_in_their_export_and_an_erased_member_is_no_lead_any_more(world):
    _make_leads(world, ("carer", 1))
    with world.app.app_context():
        [admin] = _people(world, "admin")
        lead = db.session.scalar(select(SafeguardingLead))
        now = utcnow()
        add_rota(admin, _group(world), lead, now, now + timedelta(days=1))
        db.session.commit()
    carer = world.http("carer")
    assert post_form(carer, "/account/privacy/export", {}, form_page="/account/privacy").status_code == 303
    with world.app.app_context():
        export_id = db.session.scalar(select(DataExport.id).order_by(DataExport.id.desc()))
    archive = zipfile.ZipFile(io.BytesIO(carer.get(f"/account/privacy/exports/{export_id}").data))
    [entry] = json.loads(archive.read("safeguarding.json"))["you_are_a_safeguarding_lead"]
    assert entry["group"] == "Young people" and entry["tier"] == 1

    with world.app.app_context():
        [admin, person] = _people(world, "admin", "carer")
        erasure.erase_by_admin(admin, person, mode="anonymise", reason="On her request")
        db.session.commit()
        assert db.session.scalar(select(SafeguardingLead.id)) is None
        assert db.session.scalar(select(SafeguardingRotaEntry.id)) is None
