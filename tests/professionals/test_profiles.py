"""Profiles: writing one's own, approval by an admin (audited), specialties (audited), the photo pipeline, and
who sees what (members of the professional's groups only)."""

from __future__ import annotations

import io
import os

import pytest
from PIL import Image
from sqlalchemy import func, select

from community.core.audit import AuditEntry
from community.extensions import db
from community.professionals.models import ProfessionalProfile, ProfileLanguage, ProfileSpecialty, Specialty
from tests.factories import post_form, sign_in


def png(size=(32, 32)) -> io.BytesIO:
    out = io.BytesIO()
    Image.new("RGB", size, (10, 120, 200)).save(out, "PNG")
    out.seek(0)
    return out


def jpeg_with_gps() -> io.BytesIO:
    image = Image.new("RGB", (40, 30), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "SecretCameraMaker"  # Make
    exif[0x8825] = {1: "N", 2: (52.0, 22.0, 0.0)}  # GPS
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes())
    out.seek(0)
    return out


def profile_data(**extra) -> dict:
    return {"public_name": "Nurse Ingrid", "role_title": "Nurse", "organisation": "City care",
            "intro": "Hello, I am *here*.", "languages": ["en"], **extra}  # fmt: skip


def counts(app) -> tuple[int, int, int]:
    with app.app_context():
        return (
            db.session.scalar(select(func.count()).select_from(ProfessionalProfile)),
            db.session.scalar(select(func.count()).select_from(ProfileLanguage)),
            db.session.scalar(select(func.count()).select_from(ProfileSpecialty)),
        )


def test_members_list_shows_professionals_of_their_groups_only(db_app, world):
    client = db_app.test_client()
    sign_in(client, "alex")
    html = client.get("/professionals").get_data(as_text=True)
    assert "Nurse Ingrid" in html and "Bram" in html
    assert "Ravi" not in html
    assert "Works in:</span> Parents" in html  # the groups they work in, from their moderator memberships
    assert '<ul class="card-list professional-list">' in html and '<h2 class="card__title">' in html


def test_filters_by_language_specialty_and_availability(db_app, world):
    client = db_app.test_client()
    sign_in(client, "alex")
    by_language = client.get("/professionals?language=ar").get_data(as_text=True)
    assert "Bram" in by_language and "Nurse Ingrid" not in by_language
    by_specialty = client.get(f"/professionals?specialty={world.anxiety.id}").get_data(as_text=True)
    assert "Nurse Ingrid" in by_specialty and "Bram" not in by_specialty
    with db_app.app_context():
        db.session.get(ProfessionalProfile, world.colleague_profile.id).availability = []
        db.session.commit()
    available = client.get("/professionals?when=now").get_data(as_text=True)
    assert "Nurse Ingrid" in available and "Bram" not in available
    # Nonsense filters are ignored, not an error.
    assert client.get("/professionals?language=xx&specialty=abc&when=soon").status_code == 200


def test_profile_page_visibility_for_every_role(db_app, world):
    path = f"/professionals/{world.profile.id}"
    expected = {"alex": 200, "sam": 404, "ingrid": 200, "bram": 200, "ravi": 404, "admin": 200}
    for username, status in expected.items():
        client = db_app.test_client()
        sign_in(client, username)
        assert client.get(path).status_code == status, username
    anonymous = db_app.test_client().get(path)
    assert anonymous.status_code == 302 and anonymous.headers["Location"].startswith("/login")
    client = db_app.test_client()
    sign_in(client, "alex")
    assert client.get("/professionals/999999").status_code == 404


def test_a_profile_waiting_for_approval_is_hidden_from_members(db_app, world):
    client = db_app.test_client()
    sign_in(client, "ingrid")
    response = post_form(client, "/professionals/me", profile_data(public_name="Ingrid B."))
    assert response.status_code == 303
    with db_app.app_context():
        assert db.session.get(ProfessionalProfile, world.profile.id).state == "pending"
    member = db_app.test_client()
    sign_in(member, "alex")
    assert member.get(f"/professionals/{world.profile.id}").status_code == 404
    assert "Ingrid B." not in member.get("/professionals").get_data(as_text=True)
    assert "Waiting for approval" in client.get(f"/professionals/{world.profile.id}").get_data(as_text=True)


def test_admin_approves_and_rejects_with_audit_rows(db_app, world):
    client = db_app.test_client()
    sign_in(client, "ingrid")
    post_form(client, "/professionals/me", profile_data())
    admin = db_app.test_client()
    sign_in(admin, "admin")
    assert "Nurse Ingrid" in admin.get("/professionals/review").get_data(as_text=True)
    response = post_form(admin, f"/professionals/review/{world.profile.id}/reject", {"reason": "Add your role."},
                         form_page="/professionals/review")  # fmt: skip
    assert response.status_code == 303
    response = post_form(admin, f"/professionals/review/{world.profile.id}/approve", {},
                         form_page="/professionals/review")  # fmt: skip
    assert response.status_code == 303
    with db_app.app_context():
        actions = db.session.scalars(
            select(AuditEntry.action).where(AuditEntry.target_id == world.profile.id,
                                            AuditEntry.target_type == "professional_profile")
            .order_by(AuditEntry.id)
        ).all()  # fmt: skip
        assert actions[-2:] == ["professional.profile_rejected", "professional.profile_approved"]
        assert db.session.get(ProfessionalProfile, world.profile.id).state == "approved"


def test_rejecting_needs_a_reason(db_app, world):
    admin = db_app.test_client()
    sign_in(admin, "admin")
    response = post_form(admin, f"/professionals/review/{world.profile.id}/reject", {"reason": " "},
                         form_page="/professionals/review")  # fmt: skip
    assert response.status_code == 400
    assert "Tell the professional what to change." in response.get_data(as_text=True)
    with db_app.app_context():
        assert db.session.get(ProfessionalProfile, world.profile.id).state == "approved"


def test_only_admins_review(db_app, world):
    for username in ("alex", "ingrid"):
        client = db_app.test_client()
        sign_in(client, username)
        assert client.get("/professionals/review").status_code == 404


def test_specialties_added_renamed_and_retired_with_audit(db_app, world):
    admin = db_app.test_client()
    sign_in(admin, "admin")
    page = "/professionals/review"
    assert (
        post_form(admin, "/professionals/specialties", {"name": "Diabetes", "active": "y"}, form_page=page).status_code
        == 303
    )
    duplicate = post_form(admin, "/professionals/specialties", {"name": "diabetes"}, form_page=page)
    assert duplicate.status_code == 400 and "already on the list" in duplicate.get_data(as_text=True)
    too_long = post_form(admin, "/professionals/specialties", {"name": "x" * 61}, form_page=page)
    assert too_long.status_code == 400
    response = post_form(
        admin, f"/professionals/specialties/{world.grief.id}", {"name": "Grief and loss"}, form_page=page
    )
    assert response.status_code == 303
    with db_app.app_context():
        grief = db.session.get(Specialty, world.grief.id)
        assert (grief.name, grief.active) == ("Grief and loss", False)
        assert db.session.scalar(select(func.count()).select_from(Specialty)) == 3
        actions = db.session.scalars(
            select(AuditEntry.action).where(AuditEntry.target_type == "professional_specialty").order_by(AuditEntry.id)
        ).all()
        assert actions.count("professional.specialty_added") == 3  # two in the world, Diabetes here
        assert actions[-1] == "professional.specialty_changed"
    member = db_app.test_client()
    sign_in(member, "alex")
    assert (
        post_form(member, "/professionals/specialties", {"name": "Nope"}, form_page="/professionals").status_code == 404
    )


def test_members_cannot_have_a_profile(db_app, world):
    client = db_app.test_client()
    sign_in(client, "alex")
    assert client.get("/professionals/me").status_code == 404
    assert post_form(client, "/professionals/me", profile_data(), form_page="/professionals").status_code == 404


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"public_name": "x"}, "Give the name you want to be known by"),
        ({"intro": "a" * 2001}, "The introduction can be at most 2000 characters"),
        ({"role_title": "r" * 81}, "The role can be at most 80 characters"),
        ({"languages": ["xx"]}, "Choose languages from the list."),
        ({"specialties": ["99999"]}, "Choose specialties from the list."),
    ],
)
def test_bad_profile_input_is_refused_and_nothing_changes(db_app, world, data, message):
    before = counts(db_app)
    client = db_app.test_client()
    sign_in(client, "ingrid")
    response = post_form(client, "/professionals/me", profile_data(**data))
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert counts(db_app) == before
    with db_app.app_context():
        profile = db.session.get(ProfessionalProfile, world.profile.id)
        assert (profile.state, profile.public_name) == ("approved", "Nurse Ingrid")


def test_intro_is_sanitised_markdown(db_app, world):
    client = db_app.test_client()
    sign_in(client, "ingrid")
    post_form(client, "/professionals/me", profile_data(intro="<script>alert(1)</script> **bold**"))
    with db_app.app_context():
        html = db.session.get(ProfessionalProfile, world.profile.id).intro_html
    assert "<script>" not in html and "<strong>bold</strong>" in html


def photo_files(db_app) -> list[str]:
    folder = db_app.config["PROFESSIONAL_PHOTO_DIR"]
    return sorted(os.listdir(folder)) if os.path.isdir(folder) else []


def test_photo_is_reencoded_without_metadata_and_shown_only_to_who_may_see_it(db_app, world):
    client = db_app.test_client()
    sign_in(client, "ingrid")
    response = post_form(client, "/professionals/me", {**profile_data(), "photo": (jpeg_with_gps(), "me.jpg")},
                         content_type="multipart/form-data")  # fmt: skip
    assert response.status_code == 303
    [name] = photo_files(db_app)
    with open(os.path.join(db_app.config["PROFESSIONAL_PHOTO_DIR"], name), "rb") as file:
        data = file.read()
    assert b"SecretCameraMaker" not in data
    assert not Image.open(io.BytesIO(data)).getexif()
    admin = db_app.test_client()
    sign_in(admin, "admin")
    post_form(admin, f"/professionals/review/{world.profile.id}/approve", {}, form_page="/professionals/review")
    member, outsider = db_app.test_client(), db_app.test_client()
    sign_in(member, "alex")
    sign_in(outsider, "sam")
    served = member.get(f"/professionals/{world.profile.id}/photo")
    assert served.status_code == 200 and served.mimetype == "image/jpeg"
    assert "no-store" in served.headers["Cache-Control"]
    assert 'alt="Photo of Nurse Ingrid"' in member.get(f"/professionals/{world.profile.id}").get_data(as_text=True)
    assert outsider.get(f"/professionals/{world.profile.id}/photo").status_code == 404
    assert member.get(f"/professionals/{world.colleague_profile.id}/photo").status_code == 404  # has none
    # Replacing the photo removes the old file once committed.
    post_form(client, "/professionals/me", {**profile_data(), "photo": (png(), "new.png")},
              content_type="multipart/form-data")  # fmt: skip
    [new_name] = photo_files(db_app)
    assert new_name != name and new_name.endswith(".png")


def _bomb() -> io.BytesIO:
    out = io.BytesIO()
    Image.new("1", (9000, 9000)).save(out, "PNG")  # 81 megapixels, a few kilobytes
    out.seek(0)
    return out


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (lambda: (io.BytesIO(b"%PDF-1.4 not an image"), "me.jpg"), "This file cannot be used as a photo"),
        (lambda: (io.BytesIO(b"\xff" * (5 * 1024 * 1024 + 1)), "big.jpg"), "larger than 5 MB"),
        (lambda: (_bomb(), "bomb.png"), "This file cannot be used as a photo"),
    ],
    ids=["not-an-image", "too-large", "decompression-bomb"],
)
def test_bad_photos_are_refused_and_nothing_is_stored(db_app, world, upload, message):
    before = counts(db_app)
    client = db_app.test_client()
    sign_in(client, "ingrid")
    response = post_form(client, "/professionals/me", {**profile_data(public_name="Changed"), "photo": upload()},
                         content_type="multipart/form-data")  # fmt: skip
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert 'aria-invalid="true"' in response.get_data(as_text=True)
    assert photo_files(db_app) == []
    assert counts(db_app) == before
    with db_app.app_context():
        profile = db.session.get(ProfessionalProfile, world.profile.id)
        assert (profile.public_name, profile.photo_file, profile.state) == ("Nurse Ingrid", None, "approved")


def test_availability_needs_no_approval_and_bad_hours_are_refused(db_app, world):
    client = db_app.test_client()
    sign_in(client, "ingrid")
    bad = post_form(client, "/professionals/me/availability", {"day_0_start": "17:00", "day_0_end": "09:00"},
                    form_page="/professionals/me")  # fmt: skip
    assert bad.status_code == 400 and "The end time must be after the start time." in bad.get_data(as_text=True)
    half = post_form(client, "/professionals/me/availability", {"day_1_start": "09:00"}, form_page="/professionals/me")
    assert half.status_code == 400 and "Give both times" in half.get_data(as_text=True)
    past = post_form(
        client, "/professionals/me/availability", {"away_until": "2000-01-01"}, form_page="/professionals/me"
    )
    assert past.status_code == 400
    hours = {"day_0_start": "09:00", "day_0_end": "17:00", "paused": "y"}
    ok = post_form(client, "/professionals/me/availability", hours, form_page="/professionals/me")
    assert ok.status_code == 303
    with db_app.app_context():
        profile = db.session.get(ProfessionalProfile, world.profile.id)
        assert (profile.availability, profile.paused, profile.state) == ([[0, "09:00", "17:00"]], True, "approved")
