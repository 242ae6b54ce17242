"""HTTP adapters for the installation's helplines (moderation.safeguarding.helpline_admin decides and audits).

Admins only (``admins_only`` on the blueprint). Each change is a CSRF-checked POST with a reason.
"""

from __future__ import annotations

from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from community.admin import bp, forms
from community.core.forms import form_action, language_choices
from community.moderation.safeguarding import helpline_admin, helplines
from community.moderation.safeguarding.helpline_admin import HelplineInput
from community.moderation.safeguarding.helpline_models import HelplineEntry

Page = str | Response | tuple[str, int]


def _form(**kwargs: object) -> forms.HelplineForm:
    form = forms.HelplineForm(**kwargs)
    form.language.choices = [SelectChoice("", _("Every language")), *language_choices()]
    return form


def _stored_form(row: HelplineEntry) -> forms.HelplineForm:
    form = _form(obj=row, formdata=None)
    form.topics.data = row.topics.split()
    return form


def _remove_form() -> forms.ReasonForm:
    return forms.ReasonForm(prefix="remove", formdata=None)


def _input(form: forms.HelplineForm) -> HelplineInput:
    return HelplineInput(
        name=form.name.data or "",
        phone=form.phone.data or "",
        sms=form.sms.data or "",
        url=form.url.data or "",
        hours=form.hours.data or "",
        description=form.description.data or "",
        acute=bool(form.acute.data),
        language=form.language.data or "",
        topics=tuple(form.topics.data or ()),
        position=form.position.data or 0,
        active=bool(form.active.data),
    )


def _list_page(form: forms.HelplineForm) -> Page:
    stored = helpline_admin.all_helplines()
    page = render_template(
        "admin/helplines.html",
        form=form,
        stored=stored,
        defaults=[] if stored else helplines.helplines(),
        labels=forms,
    )
    return (page, 400) if form.errors else page


@bp.route("/helplines", methods=["GET", "POST"])
def helpline_list() -> Page:
    form = _form()
    if form.validate_on_submit():
        with form_action(form, "name") as action:
            helpline_admin.save_helpline(current_user, _input(form), form.reason.data)
        if action.ok:
            flash(_("The helpline is added."), "success")
            return redirect(url_for("admin.helpline_list"))
    return _list_page(form)


@bp.route("/helplines/<int:helpline_id>", methods=["GET", "POST"])
def helpline_edit(helpline_id: int) -> Page:
    row = helpline_admin.helpline_or_404(helpline_id)
    if request.method == "GET":
        return render_template(
            "admin/helpline.html", form=_stored_form(row), row=row, remove=_remove_form(), labels=forms
        )
    form = _form()
    if form.validate_on_submit():
        with form_action(form, "name") as action:
            helpline_admin.save_helpline(current_user, _input(form), form.reason.data, row)
        if action.ok:
            flash(_("The helpline is saved."), "success")
            return redirect(url_for("admin.helpline_list"))
        row = helpline_admin.helpline_or_404(helpline_id)
    page = render_template("admin/helpline.html", form=form, row=row, remove=_remove_form(), labels=forms)
    return (page, 400) if form.errors else page


@bp.route("/helplines/<int:helpline_id>/remove", methods=["POST"])
def helpline_remove(helpline_id: int) -> Page:
    row = helpline_admin.helpline_or_404(helpline_id)
    remove = forms.ReasonForm(prefix="remove")
    if remove.validate_on_submit():
        with form_action(remove, "reason") as action:
            helpline_admin.remove_helpline(current_user, row, remove.reason.data)
        if action.ok:
            flash(_("The helpline is removed."), "success")
            return redirect(url_for("admin.helpline_list"))
    row = helpline_admin.helpline_or_404(helpline_id)
    return render_template("admin/helpline.html", form=_stored_form(row), row=row, remove=remove, labels=forms), 400
