"""Professional profiles: a professional writes theirs, an admin approves it, members of their groups see it.

Reading (the list of professionals, a profile, its photo) and writing (the profile, availability) share the
same policy predicates. Everything a member reads comes from approved profiles of people working in one of
their groups; anything else is "not found".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import and_, delete, select

from community.auth.models import User
from community.core import sanitize
from community.core.errors import DomainError, Forbidden, NotFound
from community.core.time import utcnow
from community.extensions import db
from community.groups.models import Group, Membership
from community.groups.policy import CARE_ROLES
from community.moderation import services as moderation
from community.professionals import availability, photos, policy
from community.professionals.availability import Expectation
from community.professionals.group_reach import care_group_ids, groups_by_id, reading_group_ids
from community.professionals.local_time import local_now
from community.professionals.models import ProfessionalProfile, ProfileLanguage, ProfileSpecialty, Specialty

LIST_MAX = 200  # professionals shown to one member: bounded by the groups they are in
_DB_INT_MAX = 2**31 - 1
NAME_MAX = 80
ROLE_MAX = 80
ORGANISATION_MAX = 120
INTRO_MAX = 2000
SPECIALTIES_PER_PROFILE = 12


@dataclass(frozen=True)
class ProfileView:
    profile: ProfessionalProfile
    specialties: list[Specialty]
    languages: list[str]
    groups: list[Group]  # the groups they work in that the viewer shares (all of them for owner and admins)
    expectation: Expectation
    takes_requests: bool


# --- loading ------------------------------------------------------------------------------------------------


def own_profile(user: User) -> ProfessionalProfile | None:
    return db.session.scalar(select(ProfessionalProfile).where(ProfessionalProfile.user_id == user.id))


def _get(profile_id: int) -> ProfessionalProfile | None:
    return db.session.get(ProfessionalProfile, profile_id) if 0 < profile_id <= _DB_INT_MAX else None


def specialties_of(profile_ids: list[int]) -> dict[int, list[Specialty]]:
    if not profile_ids:
        return {}
    rows = db.session.execute(
        select(ProfileSpecialty.profile_id, Specialty)
        .join(Specialty, Specialty.id == ProfileSpecialty.specialty_id)
        .where(ProfileSpecialty.profile_id.in_(profile_ids))
        .order_by(Specialty.name)
    )
    found: dict[int, list[Specialty]] = {}
    for profile_id, specialty in rows:
        found.setdefault(profile_id, []).append(specialty)
    return found


def languages_of(profile_ids: list[int]) -> dict[int, list[str]]:
    if not profile_ids:
        return {}
    rows = db.session.execute(
        select(ProfileLanguage.profile_id, ProfileLanguage.code)
        .where(ProfileLanguage.profile_id.in_(profile_ids))
        .order_by(ProfileLanguage.code)
    )
    found: dict[int, list[str]] = {}
    for profile_id, code in rows:
        found.setdefault(profile_id, []).append(code)
    return found


def _view(profile: ProfessionalProfile, groups: list[Group], now) -> ProfileView:
    expectation = availability.expected_answer(profile.availability, profile.away_until, profile.paused, now)
    return ProfileView(
        profile,
        specialties_of([profile.id]).get(profile.id, []),
        languages_of([profile.id]).get(profile.id, []),
        groups,
        expectation,
        policy.takes_requests(profile, now.date()),
    )


def open_profile(viewer: User, profile_id: int) -> ProfileView:
    """A profile the viewer may see, with the groups they share with the professional. Others: NotFound."""
    profile = _get(profile_id)
    if profile is None:
        raise NotFound(_("We could not find that professional."))
    works_in = care_group_ids(profile.user)
    viewer_groups = reading_group_ids(viewer)
    if not policy.can_see_profile(viewer, profile, viewer_groups, works_in):
        raise NotFound(_("We could not find that professional."))
    owner_or_admin = viewer.id == profile.user_id or policy.can_manage_profiles(viewer)
    shown_groups = works_in if owner_or_admin else works_in & viewer_groups
    return _view(profile, groups_by_id(shown_groups), local_now())


def photo_of(viewer: User, profile_id: int) -> tuple[str, str, str]:
    """(folder, file name, content type) of a profile's photo, for someone who may see the profile."""
    view = open_profile(viewer, profile_id)
    if not view.profile.photo_file or not view.profile.photo_content_type:
        raise NotFound(_("This professional has no photo."))
    return str(photos.photo_dir()), view.profile.photo_file, view.profile.photo_content_type


@dataclass(frozen=True)
class Filters:
    specialty_id: int | None = None
    language: str | None = None
    when: str | None = None  # None, "now" or "week"


def browse(viewer: User, filters: Filters) -> list[ProfileView]:
    """Approved professionals working in the viewer's groups, by name, filtered. Bounded by ``LIST_MAX``."""
    viewer_groups = reading_group_ids(viewer)
    if not viewer_groups:
        return []
    query = (
        select(ProfessionalProfile, Membership.group_id)
        .join(User, User.id == ProfessionalProfile.user_id)
        .join(Membership, Membership.user_id == ProfessionalProfile.user_id)
        .join(Group, Group.id == Membership.group_id)
        .where(
            ProfessionalProfile.state == "approved",
            User.state == "active",
            Membership.group_id.in_(viewer_groups),
            Membership.role.in_(CARE_ROLES),
            Membership.state == "active",
            Group.state == "active",
        )
    )
    if filters.specialty_id:
        query = query.join(
            ProfileSpecialty,
            and_(
                ProfileSpecialty.profile_id == ProfessionalProfile.id,
                ProfileSpecialty.specialty_id == filters.specialty_id,
            ),
        )
    if filters.language:
        query = query.join(
            ProfileLanguage,
            and_(ProfileLanguage.profile_id == ProfessionalProfile.id, ProfileLanguage.code == filters.language),
        )
    rows = db.session.execute(query.order_by(ProfessionalProfile.public_name, ProfessionalProfile.id).limit(LIST_MAX))
    profiles: dict[int, ProfessionalProfile] = {}
    group_ids: dict[int, set[int]] = {}
    for profile, group_id in rows:
        profiles.setdefault(profile.id, profile)
        group_ids.setdefault(profile.id, set()).add(group_id)
    ids = list(profiles)
    specialties, languages = specialties_of(ids), languages_of(ids)
    groups = {group.id: group for group in groups_by_id(set().union(*group_ids.values()) if group_ids else set())}
    now = local_now()
    views = []
    for profile_id, profile in profiles.items():
        expectation = availability.expected_answer(profile.availability, profile.away_until, profile.paused, now)
        if filters.when == "now" and expectation.kind != "now":
            continue
        if filters.when == "week" and not expectation.this_week:
            continue
        shared = sorted((groups[g] for g in group_ids[profile_id] if g in groups), key=lambda g: g.name)
        views.append(
            ProfileView(
                profile, specialties.get(profile_id, []), languages.get(profile_id, []), shared, expectation,
                policy.takes_requests(profile, now.date()),
            )
        )  # fmt: skip
    return views


# --- writing one's own profile ------------------------------------------------------------------------------


def _one_line(value: str | None) -> str:
    return " ".join((value or "").split())


def _text(value: str | None, limit: int, field: str, message: str) -> str:
    cleaned = _one_line(value)
    if len(cleaned) > limit:
        raise DomainError(message, field=field)
    return cleaned


def _checked_languages(codes: list[str], allowed: list[str]) -> list[str]:
    chosen = sorted({code for code in codes if code})
    if any(code not in allowed for code in chosen):
        raise DomainError(_("Choose languages from the list."), field="languages")
    return chosen


def _checked_specialties(ids: list[int]) -> list[int]:
    chosen = sorted(set(ids))
    if len(chosen) > SPECIALTIES_PER_PROFILE:
        raise DomainError(_("Choose at most %(max)d specialties.", max=SPECIALTIES_PER_PROFILE), field="specialties")
    if chosen:
        found = set(
            db.session.scalars(select(Specialty.id).where(Specialty.id.in_(chosen), Specialty.active.is_(True)))
        )
        if found != set(chosen):
            raise DomainError(_("Choose specialties from the list."), field="specialties")
    return chosen


def save_profile(
    actor: User,
    *,
    public_name: str,
    role_title: str,
    organisation: str,
    intro: str,
    languages: list[str],
    allowed_languages: list[str],
    specialty_ids: list[int],
    photo=None,
    remove_photo: bool = False,
) -> ProfessionalProfile:
    """Create or update the actor's profile. Every check (texts, lists, screening, photo) runs before anything
    is stored. What members read changes only after an admin approves it again: the profile goes back to
    "pending" and is hidden from members until then."""
    works_in = care_group_ids(actor)
    if not policy.can_edit_own_profile(actor, works_in):
        raise Forbidden(_("Only professionals (moderators of a group) have a profile."))
    name = _one_line(public_name)
    if not 2 <= len(name) <= NAME_MAX:
        raise DomainError(_("Give the name you want to be known by, 2 to %(max)d characters.", max=NAME_MAX),
                          field="public_name")  # fmt: skip
    role = _text(role_title, ROLE_MAX, "role_title", _("The role can be at most %(max)d characters.", max=ROLE_MAX))
    org = _text(organisation, ORGANISATION_MAX, "organisation",
                _("The organisation can be at most %(max)d characters.", max=ORGANISATION_MAX))  # fmt: skip
    intro = (intro or "").strip()
    if len(intro) > INTRO_MAX:
        raise DomainError(
            _("The introduction can be at most %(max)d characters (now %(n)d).", max=INTRO_MAX, n=len(intro)),
            field="intro",
        )
    codes = _checked_languages(languages, allowed_languages)
    specialty_list = _checked_specialties(specialty_ids)
    if intro:
        screening = moderation.screen(actor, None, None, intro, kind="profile")
        if screening.verdict == moderation.REFUSE:
            raise DomainError(screening.reason or _("This introduction cannot be published."), field="intro")
    prepared = photos.prepare_photo(photo, _("Photo of %(name)s", name=name)) if photos.chosen(photo) else None

    profile = own_profile(actor)
    if profile is None:
        profile = ProfessionalProfile(user_id=actor.id, public_name=name, availability=[], created_at=utcnow())
        db.session.add(profile)
    profile.public_name, profile.role_title, profile.organisation = name, role, org
    profile.intro_source, profile.intro_html = intro, sanitize.render_markdown(intro) if intro else ""
    if prepared is not None:
        photos.forget_photo(profile.photo_file)
        profile.photo_file, profile.photo_content_type = photos.write_photo(prepared), prepared.content_type
    elif remove_photo:
        photos.forget_photo(profile.photo_file)
        profile.photo_file = profile.photo_content_type = None
    profile.state, profile.review_note, profile.updated_at = "pending", "", utcnow()
    db.session.flush()
    db.session.execute(delete(ProfileLanguage).where(ProfileLanguage.profile_id == profile.id))
    db.session.execute(delete(ProfileSpecialty).where(ProfileSpecialty.profile_id == profile.id))
    db.session.add_all([ProfileLanguage(profile_id=profile.id, code=code) for code in codes])
    db.session.add_all([ProfileSpecialty(profile_id=profile.id, specialty_id=sid) for sid in specialty_list])
    db.session.flush()
    return profile


def parse_windows(rows: list[tuple[int, str, str]]) -> list[list]:
    """Form rows (weekday, start, end) to stored windows; an empty row is skipped, a half-filled or reversed
    one is refused with a message naming the field."""
    stored = []
    for weekday, start, end in rows:
        start, end = (start or "").strip(), (end or "").strip()
        if not start and not end:
            continue
        first, last = availability.parse_time(start), availability.parse_time(end)
        field = f"day_{weekday}_start"
        if first is None or last is None:
            raise DomainError(_("Give both times as hours and minutes, for example 09:00 and 17:00."), field=field)
        if first >= last:
            raise DomainError(_("The end time must be after the start time."), field=field)
        stored.append([weekday, start, end])
    return stored


def save_availability(
    actor: User, *, windows: list[tuple[int, str, str]], away_until: date | None, paused: bool
) -> ProfessionalProfile:
    """Weekly hours, "away until" and pausing new requests. No approval needed: these are day-to-day."""
    profile = own_profile(actor)
    if profile is None or not policy.can_edit_own_profile(actor, care_group_ids(actor)):
        raise NotFound(_("Write your profile first."))
    stored = parse_windows(windows)
    if away_until is not None and away_until < local_now().date():
        raise DomainError(_("Choose a date from today on, or leave it empty."), field="away_until")
    profile.availability, profile.away_until, profile.paused = stored, away_until, bool(paused)
    db.session.flush()
    return profile
