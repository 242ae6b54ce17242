"""HTTP adapters: the list of professionals, a profile and its photo, and a professional's own profile."""

from __future__ import annotations

from flask import Response, current_app, flash, redirect, render_template, request, send_from_directory, url_for
from flask_babel import gettext as _
from flask_login import current_user

from community.core.errors import NotFound
from community.core.forms import form_action, language_choices, select_choices
from community.professionals import bp, policy, profiles, questions, review
from community.professionals import requests as professional_requests
from community.professionals.forms import WEEKDAY_LABELS, AvailabilityForm, ProfileForm, RequestForm, int_or_none
from community.professionals.group_reach import care_group_ids, groups_by_id, writable_group_ids
from community.professionals.local_time import local_now

Page = str | Response | tuple[str, int]


@bp.route("/professionals")
def browse_page() -> str:
    """A GET form: works without JavaScript, and the filters stay in the address."""
    language = request.args.get("language", "").strip()
    when = request.args.get("when", "").strip()
    filters = profiles.Filters(
        specialty_id=int_or_none(request.args.get("specialty")),
        language=language if language in current_app.config["LANGUAGES"] else None,
        when=when if when in ("now", "week") else None,
    )
    return render_template(
        "professionals/list.html",
        cards=profiles.browse(current_user, filters),
        filters=filters,
        specialties=review.list_specialties(),
        languages=language_choices(),
        language_names=language_names(),
        is_professional=policy.is_professional(current_user, care_group_ids(current_user)),
    )


def language_names() -> dict[str, str]:
    return {choice.value: str(choice.label) for choice in language_choices()}


def _request_form(view: profiles.ProfileView) -> RequestForm:
    form = RequestForm()
    shared = writable_group_ids(current_user) & {group.id for group in view.groups}
    form.group_id.choices = select_choices((str(group.id), group.name) for group in groups_by_id(shared))
    return form


def _profile(view: profiles.ProfileView, form: RequestForm, status: int = 200) -> tuple[str, int]:
    return render_template(
        "professionals/profile.html", view=view, form=form, language_names=language_names(),
        can_request=policy.can_request(current_user, view.profile, [c.value for c in form.group_id.choices],
                                       local_now().date()),
    ), status  # fmt: skip


@bp.route("/professionals/<int:profile_id>")
def profile_page(profile_id: int) -> Page:
    view = profiles.open_profile(current_user, profile_id)
    return _profile(view, _request_form(view))


@bp.route("/professionals/<int:profile_id>/request", methods=["POST"])
def send_request(profile_id: int) -> Page:
    view = profiles.open_profile(current_user, profile_id)
    form = _request_form(view)
    if form.validate_on_submit():
        with form_action(form, "message", passes=(NotFound,)) as action:
            sent = professional_requests.send_request(
                current_user, profile_id, group_id=int_or_none(form.group_id.data), message=form.message.data or "",
                email_me=form.email_me.data,
            )  # fmt: skip
        if action.ok:
            for notice in sent.notices:
                flash(notice, "notice")
            flash(_("Your request has been sent."), "success")
            return redirect(url_for("professionals.request_page", request_id=sent.request.id), 303)
    return _profile(view, form, 400)


@bp.route("/professionals/<int:profile_id>/photo")
def profile_photo(profile_id: int) -> Response:
    folder, name, content_type = profiles.photo_of(current_user, profile_id)
    response = send_from_directory(folder, name, mimetype=content_type, conditional=False, etag=False, max_age=None)
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Disposition"] = "inline"
    return response


# --- a professional's own profile ---------------------------------------------------------------------------


def _own_forms(profile) -> tuple[ProfileForm, AvailabilityForm]:
    profile_form = ProfileForm(obj=profile if request.method == "GET" else None)
    if request.method == "GET" and profile is not None:
        profile_form.intro.data = profile.intro_source
        profile_form.languages.data = profiles.languages_of([profile.id]).get(profile.id, [])
        profile_form.specialties.data = [str(s.id) for s in profiles.specialties_of([profile.id]).get(profile.id, [])]
    if request.method == "GET" and profile is None:
        profile_form.public_name.data = current_user.display_name  # a start; they choose how to be known
    availability_form = AvailabilityForm()
    if request.method == "GET" and profile is not None:
        for weekday, start, end in profile.availability or []:
            getattr(availability_form, f"day_{weekday}_start").data = start
            getattr(availability_form, f"day_{weekday}_end").data = end
        availability_form.away_until.data = profile.away_until
        availability_form.paused.data = profile.paused
    return profile_form, availability_form


def _own_page(profile_form: ProfileForm, availability_form, status: int = 200) -> tuple[str, int]:
    works_in = care_group_ids(current_user)
    if not policy.can_edit_own_profile(current_user, works_in):
        raise NotFound(_("We could not find that page."))
    return render_template(
        "professionals/edit.html", profile=profiles.own_profile(current_user), form=profile_form,
        availability_form=availability_form, weekdays=WEEKDAY_LABELS, languages=language_choices(),
        specialties=review.list_specialties(), groups=groups_by_id(works_in),
        waiting=questions.waiting_count(current_user),
    ), status  # fmt: skip


@bp.route("/professionals/me")
def own_profile_page() -> Page:
    profile = profiles.own_profile(current_user)
    return _own_page(*_own_forms(profile))


@bp.route("/professionals/me", methods=["POST"])
def own_profile_save() -> Page:
    profile = profiles.own_profile(current_user)
    form, availability_form = _own_forms(profile)
    if form.validate_on_submit():
        with form_action(form, "public_name", passes=(NotFound,)) as action:
            profiles.save_profile(
                current_user, public_name=form.public_name.data or "", role_title=form.role_title.data or "",
                organisation=form.organisation.data or "", intro=form.intro.data or "",
                languages=list(form.languages.data or []), allowed_languages=current_app.config["LANGUAGES"],
                specialty_ids=[int_or_none(value) or 0 for value in form.specialties.data or []],
                photo=form.photo.data, remove_photo=form.remove_photo.data,
            )  # fmt: skip
        if action.ok:
            flash(_("Your profile is saved. Members will see it once an admin has approved it."), "success")
            return redirect(url_for("professionals.own_profile_page"), 303)
    return _own_page(form, availability_form, 400)


@bp.route("/professionals/me/availability", methods=["POST"])
def own_availability_save() -> Page:
    profile = profiles.own_profile(current_user)
    form, availability_form = _own_forms(profile)
    if profile is not None:
        form = ProfileForm(obj=profile, formdata=None)
        form.intro.data = profile.intro_source
    if availability_form.validate_on_submit():
        rows = [
            (
                day,
                getattr(availability_form, f"day_{day}_start").data,
                getattr(availability_form, f"day_{day}_end").data,
            )
            for day in range(7)
        ]
        # With no profile yet, its not-found refusal is shown on the form ("save your profile first").
        passes = (NotFound,) if profile is not None else ()
        with form_action(availability_form, "away_until", passes=passes) as action:
            profiles.save_availability(
                current_user, windows=rows, away_until=availability_form.away_until.data,
                paused=availability_form.paused.data,
            )  # fmt: skip
        if action.ok:
            flash(_("Your availability is saved."), "success")
            return redirect(url_for("professionals.own_profile_page", _anchor="availability"), 303)
    return _own_page(form, availability_form, 400)
