"""Demo data for the professionals feature: the specialties and approved profiles for the demo's nurse and
youth worker, made through the real services. Idempotent: an existing profile or specialty is left alone."""

from __future__ import annotations

from sqlalchemy import inspect, select

from community.auth.models import User
from community.extensions import db
from community.professionals import profiles, review
from community.professionals.models import Specialty

SPECIALTIES = ("Anxiety", "Grief", "Diabetes", "Ventilation at home", "School stress", "Sleep")
WEEKDAYS = range(5)
PROFILES = {
    # username: (name, role, organisation, introduction, languages, specialties, (start, end) on weekdays)
    "nurse": (
        "Nurse Ingrid", "Paediatric intensive care nurse", "Children's home care team",
        "I have worked with families of children with intensive care needs for twenty years. Ask me about "
        "ventilation at home, feeding, sleep, or how you are doing yourself.",
        ["en", "nl"], ["Ventilation at home", "Sleep", "Diabetes"], ("09:00", "17:00"),
    ),
    "youthworker": (
        "Ravi", "Youth worker", "Youth work in the neighbourhood",
        "I'm here for school stress, worries at home, or when things just feel like a lot. "
        "No question is too small.",
        ["en", "ar", "tr"], ["Anxiety", "School stress", "Grief"], ("14:00", "22:00"),
    ),
}  # fmt: skip


def seed(admin: User, people: dict[str, User]) -> None:
    if not inspect(db.session.connection()).has_table("professional_profiles"):
        return  # the database has not been migrated to the professionals' tables yet: nothing to seed
    existing = {specialty.name: specialty for specialty in db.session.scalars(select(Specialty))}
    for name in SPECIALTIES:
        if name not in existing:
            existing[name] = review.add_specialty(admin, name)
    for username, (name, role, org, intro, languages, specialties, hours) in PROFILES.items():
        user = people.get(username)
        if user is None or profiles.own_profile(user) is not None:
            continue
        profile = profiles.save_profile(
            user, public_name=name, role_title=role, organisation=org, intro=intro, languages=languages,
            allowed_languages=languages, specialty_ids=[existing[s].id for s in specialties],
        )  # fmt: skip
        profiles.save_availability(user, windows=[(day, *hours) for day in WEEKDAYS], away_until=None, paused=False)
        review.approve_profile(admin, profile.id)
