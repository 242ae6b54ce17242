"""HTTP adapters for admins: approving profiles and keeping the list of specialties."""

from __future__ import annotations

from flask import Response, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from community.core.errors import NotFound
from community.core.forms import form_action
from community.extensions import db
from community.professionals import bp, policy, review
from community.professionals.forms import ActionForm, RejectForm, SpecialtyForm

Page = str | Response | tuple[str, int]


def _admin() -> None:
    if not policy.can_manage_profiles(current_user):
        raise NotFound(_("We could not find that page."))


def _page(reject_form: RejectForm | None = None, specialty_form: SpecialtyForm | None = None, status: int = 200):
    _admin()
    return render_template(
        "professionals/review.html", profiles=review.profiles_for_review(current_user),
        specialties=review.list_specialties(active_only=False), action_form=ActionForm(),
        reject_form=reject_form or RejectForm(formdata=None),
        specialty_form=specialty_form or SpecialtyForm(formdata=None),
    ), status  # fmt: skip


@bp.route("/professionals/review")
def review_page() -> Page:
    return _page()


@bp.route("/professionals/review/<int:profile_id>/approve", methods=["POST"])
def approve_profile(profile_id: int) -> Page:
    _admin()
    if not ActionForm().validate_on_submit():
        return _page(status=400)
    review.approve_profile(current_user, profile_id)
    db.session.commit()
    flash(_("The profile is approved. Members of the professional's groups can see it now."), "success")
    return redirect(url_for("professionals.review_page"), 303)


@bp.route("/professionals/review/<int:profile_id>/reject", methods=["POST"])
def reject_profile(profile_id: int) -> Page:
    _admin()
    form = RejectForm()
    if form.validate_on_submit():
        with form_action(form, "reason", passes=(NotFound,)) as action:
            review.reject_profile(current_user, profile_id, form.reason.data or "")
        if action.ok:
            flash(_("The profile was sent back to the professional."), "success")
            return redirect(url_for("professionals.review_page"), 303)
    return _page(reject_form=form, status=400)


@bp.route("/professionals/specialties", methods=["POST"])
def add_specialty() -> Page:
    _admin()
    form = SpecialtyForm()
    if form.validate_on_submit():
        with form_action(form, "name", passes=()) as action:
            review.add_specialty(current_user, form.name.data or "")
        if action.ok:
            flash(_("The specialty was added."), "success")
            return redirect(url_for("professionals.review_page", _anchor="specialties"), 303)
    return _page(specialty_form=form, status=400)


@bp.route("/professionals/specialties/<int:specialty_id>", methods=["POST"])
def update_specialty(specialty_id: int) -> Page:
    _admin()
    form = SpecialtyForm()
    if form.validate_on_submit():
        with form_action(passes=(NotFound,)) as action:  # the list has no form per specialty: flashed
            review.update_specialty(current_user, specialty_id, name=form.name.data or "", active=form.active.data)
        if action.ok:
            flash(_("The specialty was saved."), "success")
        return redirect(url_for("professionals.review_page", _anchor="specialties"), 303)
    return _page(specialty_form=form, status=400)
