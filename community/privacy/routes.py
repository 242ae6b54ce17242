"""HTTP adapters for the member's privacy page, their download, and deleting their account."""

from __future__ import annotations

from flask import Response, flash, redirect, render_template, send_file, session, url_for
from flask_babel import gettext as _
from flask_login import current_user

from community.consent import guardian
from community.consent import ledger as consent_ledger
from community.consent import services as consent
from community.core.forms import form_action
from community.core.security import member_limit
from community.groups import access_log
from community.privacy import bp, erasure, export, forms

Page = str | Response | tuple[str, int]


@bp.app_template_global("is_minor_member")
def is_minor_member(user: object) -> bool:
    """For staff pages (the admin's accounts, a group's member list shown to its moderators)."""
    return guardian.is_minor(user)  # type: ignore[arg-type]


@bp.route("/account/privacy")
def overview() -> str:
    return render_template(
        "privacy/overview.html",
        history=consent_ledger.history(current_user.id, limit=50),
        standings=consent.standings(current_user),
        accesses=access_log.entries_about(current_user.id, limit=50),
        exports=export.exports_of(current_user),
        export_form=forms.ExportForm(),
        guardian_row=guardian.confirmed_row(current_user.id),
        what=access_log.WHAT,
    )


@bp.route("/account/privacy/export", methods=["POST"])
def request_export() -> Response:
    form = forms.ExportForm()
    if form.validate_on_submit():
        with form_action(passes=()) as action:  # a refusal is flashed on the privacy page
            item = export.request_export(current_user)
        if action.ok:
            if item.state == "ready":
                flash(_("Your download is ready below."), "success")
            else:
                flash(_("Your download is being prepared. Come back to this page a little later."), "info")
    return redirect(url_for("privacy.overview"), 303)


@bp.route("/account/privacy/exports/<int:export_id>")
def download(export_id: int) -> Response:
    path = export.open_export(current_user, export_id)
    return send_file(path, mimetype="application/zip", as_attachment=True, download_name="kring-my-data.zip",
                     max_age=0)  # fmt: skip


@bp.route("/account/delete", methods=["GET", "POST"])
@member_limit("REAUTHENTICATE_RATE", "reauthenticate", methods=["POST"])  # the password is typed again
def delete_account() -> Page:
    form = forms.EraseForm()
    if form.validate_on_submit():
        with form_action(form, "password", passes=()) as action:
            erasure.erase_self(current_user, password=form.password.data or "", mode=form.mode.data or "",
                               confirm=bool(form.confirm.data))  # fmt: skip
        if action.ok:
            session.clear()
            flash(_("Your account is deleted. Thank you for having been part of Kring."), "info")
            return redirect(url_for("auth.login"), 303)
    return render_template("privacy/delete.html", form=form), 400 if form.errors else 200
