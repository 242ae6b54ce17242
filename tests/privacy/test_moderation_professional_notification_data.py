"""Export and erasure of the data added by moderation, safeguarding, professionals and notifications: every
kind the member made (or that is about them) is in their ZIP, nothing of anyone else is, and after erasure (once the
open cases that needed some of it are closed) none of their words or settings remain anywhere in the database;
a professional's photo file leaves the disk."""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import select

from community.auth.models import User
from community.core.audit import AuditEntry
from community.core.time import utcnow
from community.extensions import db
from community.groups.models import Group
from community.moderation.models import Appeal, MemberRelation, ModerationAction, ModeratorNote, Report
from community.moderation.safeguarding import services as safeguarding
from community.moderation.safeguarding.models import SafeguardingCase, SafeguardingNote
from community.notifications.models import (
    DigestRun,
    EmailOutbox,
    GroupNotificationSetting,
    MailProblem,
    NotificationPreference,
    NotificationSettings,
)
from community.privacy.models import DataExport
from community.professionals import photos
from community.professionals.models import ProfessionalProfile, ProfessionalQuestion, ProfessionalRequest
from tests.consent.helpers import build_world
from tests.factories import PASSWORD, post_form

MIA_WORDS = ("Miareportnote", "Miaappealnote", "Miaworry", "Miaworrynote", "Miaquestion", "Miarequest")
ABOUT_MIA = ("Notetext about mia", "Ottoworry about mia", "Handover about mia")
OTHERS = ("Ottoreportnote", "Notetext about otto", "Monaanswer", "Monadecline", "Ottoworry about mia",
          "Handover about mia", "Handover about otto", "Ottoquestion")  # fmt: skip


@dataclass
class Extra:
    photo: str
    question_id: int


def make_extra(world) -> Extra:
    """Rows of every new kind for mia (member) and mona (moderator with a professional profile), with otto's
    next to them."""
    with world.app.app_context():
        now = utcnow()
        mia, mona, otto = world.ids["mia"], world.ids["mona"], world.ids["otto"]
        group_id = db.session.scalar(select(Group.id).where(Group.slug == world.slug))
        add = db.session.add
        add(Report(reporter_id=mia, group_id=group_id, target_type="user", target_id=otto, reason="unkind",
                   note="Miareportnote"))  # fmt: skip
        add(Report(reporter_id=otto, group_id=group_id, target_type="user", target_id=mia, reason="unkind",
                   note="Ottoreportnote"))  # fmt: skip
        action = ModerationAction(group_id=group_id, actor_id=mona, subject_id=mia, action="warn",
                                  target_type="user", target_id=mia, reason="Please keep it friendly")  # fmt: skip
        add(action)
        db.session.flush()
        add(Appeal(action_id=action.id, user_id=mia, note="Miaappealnote"))
        add(ModeratorNote(group_id=group_id, subject_id=mia, author_id=mona, body="Notetext about mia"))
        add(ModeratorNote(group_id=group_id, subject_id=otto, author_id=mona, body="Notetext about otto"))
        add(MemberRelation(user_id=mia, other_id=otto, kind="mute"))
        add(MemberRelation(user_id=otto, other_id=mia, kind="block"))
        case = SafeguardingCase(group_id=group_id, subject_id=mia, source="member", raised_by_id=otto,
                                raised_note="Ottoworry about mia", severity="concern", category="self_harm",
                                due_at=now + timedelta(hours=4))  # fmt: skip
        add(case)
        otto_case = SafeguardingCase(group_id=group_id, subject_id=otto, source="member", raised_by_id=mia,
                                     raised_note="Miaworry about otto", severity="concern", due_at=now)  # fmt: skip
        add(otto_case)
        db.session.flush()
        add(SafeguardingNote(case_id=case.id, author_id=mona, body="Handover about mia"))
        add(SafeguardingNote(case_id=otto_case.id, author_id=mia, body="Miaworrynote again"))
        add(SafeguardingNote(case_id=otto_case.id, author_id=mona, body="Handover about otto"))
        folder = photos.photo_dir()
        folder.mkdir(parents=True, exist_ok=True)
        photo = f"mona-{world.ids['mona']}-photo.png"
        (folder / photo).write_bytes(b"\x89PNG fake photo bytes")
        profile = ProfessionalProfile(
            user_id=mona, public_name="Mona Nurse", role_title="Nurse", state="approved", intro_source="Monaintro",
            photo_file=photo, photo_content_type="image/png",
        )  # fmt: skip
        add(profile)
        db.session.flush()
        add(ProfessionalRequest(member_id=mia, professional_id=mona, group_id=group_id, message="Miarequest",
                                state="declined", decline_note="Monadecline"))  # fmt: skip
        question = ProfessionalQuestion(
            group_id=group_id, member_id=mia, client_token="t1", body_source="Miaquestion",
            body_html="<p>Miaquestion</p>", status="answered", claimed_by_id=mona, answer_source="Monaanswer",
            answer_html="<p>Monaanswer</p>", answered_at=now,
        )  # fmt: skip
        add(question)
        add(ProfessionalQuestion(group_id=group_id, member_id=otto, client_token="t2", body_source="Ottoquestion",
                                 body_html="<p>Ottoquestion</p>"))  # fmt: skip
        add(NotificationSettings(user_id=mia, quiet_start=1320, quiet_end=420))
        add(NotificationPreference(user_id=mia, kind="mention", in_app=True, email="weekly"))
        add(GroupNotificationSetting(user_id=mia, group_id=group_id, muted=True))
        add(EmailOutbox(user_id=mia, kind="digest", subject="Your Kring digest", body="3 new things", status="sent"))
        add(DigestRun(user_id=mia, period="daily", period_start=now.replace(microsecond=0), item_count=3))
        add(MailProblem(user_id=mia, smtp_code=550, address_hash="x" * 64))
        db.session.commit()
        return Extra(photo=photo, question_id=question.id)


@pytest.fixture
def world(db_app):
    world = build_world(db_app)
    world.extra = make_extra(world)
    return world


def download(world, username: str) -> zipfile.ZipFile:
    client = world.client(username)
    assert post_form(client, "/account/privacy/export", {}, form_page="/account/privacy").status_code == 303
    with world.app.app_context():
        export_id = db.session.scalar(select(DataExport.id).order_by(DataExport.id.desc()))
    response = client.get(f"/account/privacy/exports/{export_id}")
    assert response.status_code == 200
    return zipfile.ZipFile(io.BytesIO(response.data))


def everything(archive: zipfile.ZipFile) -> str:
    return "".join(archive.read(name).decode("utf-8", "replace") for name in archive.namelist())


def database_text(app) -> str:
    """Every value of every row of every table, as one string: "is it anywhere?"."""
    with app.app_context():
        parts = []
        for table in db.metadata.sorted_tables:
            for row in db.session.execute(table.select()):
                parts.extend(str(value) for value in row)
        return "\n".join(parts)


def test_the_member_export_holds_every_new_kind_and_nothing_of_anyone_else(world):
    archive = download(world, "mia")
    data = {name: json.loads(archive.read(name)) for name in archive.namelist() if name.endswith(".json")}
    moderation = data["moderation.json"]
    assert [r["note"] for r in moderation["reports_you_made"]] == ["Miareportnote"]
    assert [a["note"] for a in moderation["your_appeals"]] == ["Miaappealnote"]
    assert [a["reason"] for a in moderation["moderation_decisions_about_you"]] == ["Please keep it friendly"]
    # A note about the member is the member's personal data (GDPR art. 15): included, without its writer.
    assert [n["text"] for n in moderation["moderator_notes_about_you"]] == ["Notetext about mia"]
    [relation] = moderation["your_mutes_and_blocks"]
    assert relation["kind"] == "mute" and relation["other_member_id"] == world.ids["otto"]
    safeguarding = data["safeguarding.json"]
    [case] = safeguarding["cases_about_you"]
    assert case["category"] == "self_harm" and case["status"] == "open"
    assert [w["your_note"] for w in safeguarding["worries_you_raised"]] == ["Miaworry about otto", "Miaworrynote again"]
    professionals = data["professionals.json"]
    assert professionals["your_profile"] is None
    assert [q["question"] for q in professionals["questions_you_asked"]] == ["Miaquestion"]
    assert [r["message"] for r in professionals["requests_you_sent"]] == ["Miarequest"]
    settings = data["notification_settings.json"]
    assert settings["quiet_hours"] == {"start_minute": 1320, "end_minute": 420}
    assert settings["per_kind"] == [{"kind": "mention", "in_app": True, "email": "weekly", "push": True}]
    assert settings["per_group"][0]["muted"] is True
    assert settings["emails"][0]["subject"] == "Your Kring digest" and settings["digests"][0]["items"] == 3
    assert settings["mail_problem"]["smtp_code"] == 550
    text = everything(archive)
    for other in (*OTHERS, "Mona Person", "Otto Person", "mona@", "otto@", "Mona Nurse"):
        assert other not in text, other


def test_a_professional_export_holds_their_profile_photo_and_answers_not_the_members_words(world):
    archive = download(world, "mona")
    professionals = json.loads(archive.read("professionals.json"))
    profile = professionals["your_profile"]
    assert profile["public_name"] == "Mona Nurse" and profile["introduction"] == "Monaintro"
    assert archive.read(profile["photo"]) == b"\x89PNG fake photo bytes"
    assert [a["your_answer"] for a in professionals["answers_you_wrote"]] == ["Monaanswer"]
    assert [r["your_decline_note"] for r in professionals["requests_you_received"]] == ["Monadecline"]
    text = everything(archive)
    for other in ("Miaquestion", "Miarequest", "Mia Person", "mia@", "Notetext about"):
        assert other not in text, other


def test_erasure_leaves_none_of_the_members_words_or_settings_in_the_database(world):
    before = database_text(world.app)
    for word in (*MIA_WORDS, *ABOUT_MIA):
        assert word in before, word
    assert post_form(world.client("mia"), "/account/delete", {"mode": "remove", "password": PASSWORD,
                                                               "confirm": "y"}).status_code == 303  # fmt: skip
    # The two safeguarding cases (about mia, and raised by mia) are still open: what they need is kept, under the
    # tombstone, until they are closed (the evidence hold); everything else goes at once.
    held = database_text(world.app)
    for word in ("Miaworry about otto", "Miaworrynote again", "Ottoworry about mia", "Handover about mia",
                 "Notetext about mia"):  # fmt: skip
        assert word in held, word
    for word in ("Miareportnote", "Miaappealnote", "Miaquestion", "Miarequest", "Mia Person", "mia@example.org"):
        assert word not in held, word
    with world.app.app_context():
        mona = db.session.get(User, world.ids["mona"])
        for case_id in db.session.scalars(select(SafeguardingCase.id).order_by(SafeguardingCase.id)):
            safeguarding.close_case(mona, case_id, outcome="no_action_needed")
        db.session.commit()
    after = database_text(world.app)
    for word in (*MIA_WORDS, *ABOUT_MIA, "Mia Person", "mia@example.org"):
        assert word not in after, word
    # Other people's words and records stay.
    for word in ("Ottoreportnote", "Notetext about otto", "Ottoquestion", "Handover about otto"):
        assert word in after, word
    mia = world.ids["mia"]
    with world.app.app_context():
        for model, column in (
            (MemberRelation, MemberRelation.user_id), (MemberRelation, MemberRelation.other_id),
            (ModeratorNote, ModeratorNote.subject_id), (ProfessionalQuestion, ProfessionalQuestion.member_id),
            (ProfessionalRequest, ProfessionalRequest.member_id), (NotificationSettings, NotificationSettings.user_id),
            (NotificationPreference, NotificationPreference.user_id), (EmailOutbox, EmailOutbox.user_id),
            (GroupNotificationSetting, GroupNotificationSetting.user_id), (DigestRun, DigestRun.user_id),
            (MailProblem, MailProblem.user_id),
        ):  # fmt: skip
            assert db.session.scalar(select(db.func.count()).select_from(model).where(column == mia)) == 0, model
        # Moderation and safeguarding records stay, pointing at the pseudonymous tombstone.
        assert db.session.scalar(select(Report).where(Report.reporter_id == mia)).note == ""
        case = db.session.scalar(select(SafeguardingCase).where(SafeguardingCase.subject_id == mia))
        assert case.raised_note == "" and case.category == "self_harm" and case.outcome == "no_action_needed"
        assert db.session.scalar(select(ModerationAction).where(ModerationAction.subject_id == mia)) is not None
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "account.erased"))
        assert entry.details["professional_questions"] == 1 and entry.details["held_for_open_matters"]["cases"] == 2
        completed = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "account.erasure_completed"))
        assert completed.target_id == mia and completed.details["moderator_notes"] == 1


def test_erasing_a_professional_removes_the_profile_and_its_photo_from_disk(world):
    with world.app.app_context():
        photo_path = photos.photo_dir() / world.extra.photo
    assert photo_path.exists()
    response = post_form(world.client("mona"), "/account/delete", {"mode": "anonymise", "password": PASSWORD,
                                                                   "confirm": "y"})  # fmt: skip
    assert response.status_code == 303
    assert not photo_path.exists()
    after = database_text(world.app)
    for word in ("Mona Nurse", "Monaintro", "Monadecline", world.extra.photo):
        assert word not in after, word
    with world.app.app_context():
        assert db.session.scalar(select(ProfessionalProfile)) is None
        question = db.session.get(ProfessionalQuestion, world.extra.question_id)
        # The answer stays for the member who asked, no longer linked to the professional.
        assert question.answer_source == "Monaanswer" and question.claimed_by_id is None
