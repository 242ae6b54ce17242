"""HTTP adapters for the admin area: groups, membership, accounts and the audit log.

Admins only: anyone else gets 404, so the area does not even admit it exists. The pages show settings and
membership, never group content. Every change is a POST with a CSRF token, then a redirect (PRG).
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.routing import BuildError
from wtforms.fields.choices import SelectChoice

from community.admin import bp, forms, policy, queries
from community.admin.audit_export import audit_csv_response
from community.auth import admin_actions
from community.auth import policy as auth_policy
from community.core import admin_pages, audit
from community.core.errors import DomainError, NotFound
from community.core.forms import form_action, put_error_on_field
from community.extensions import db
from community.groups import services as groups
from community.groups.labels import role_label
from community.groups.models import Group

Page = str | Response | tuple[str, int]


@bp.before_request
def admins_only() -> None:
    if not policy.can_use_admin_area(current_user):
        raise NotFound(_("We could not find that page."))


@bp.app_context_processor
def admin_template_helpers() -> dict[str, Any]:
    # The other features' admin pages for the area's navigation, registered from their wiring (core.admin_pages):
    # a list made at start-up, read without the database.
    return {"admin_pages": admin_pages.pages}


def _invitations_url(group: Group) -> str:
    try:
        return url_for("groups.invitations_page", slug=group.slug)
    except BuildError:  # the invitations pages are built separately; the path is part of their contract
        return f"/g/{group.slug}/invitations"


@bp.route("/")
def overview() -> str:
    return render_template("admin/overview.html", counts=queries.overview())


@bp.route("/groups", methods=["GET", "POST"])
def group_list() -> Page:
    form = forms.GroupForm()
    if form.validate_on_submit():
        with form_action(form, "name", passes=()) as action:
            group = groups.create_group(
                current_user, name=form.name.data, description=form.description.data or "", kind=form.kind.data
            )
        if action.ok:
            flash(_("The group “%(name)s” is created.", name=group.name), "success")
            return redirect(url_for("admin.group_detail", group_id=group.id))
    page = render_template("admin/groups.html", form=form, groups=queries.groups_with_counts(), labels=forms)
    return (page, 400) if form.errors else page


def _group_page(group: Group, *, settings: FlaskForm | None = None, add: FlaskForm | None = None) -> Page:
    if settings is None:
        settings = forms.GroupSettingsForm(obj=group, formdata=None)
    page_number = request.args.get("page", 1, type=int) or 1
    members, has_more = queries.group_members(group, page_number)
    page = render_template(
        "admin/group.html",
        group=group,
        settings=settings,
        add=add or forms.AddMemberForm(formdata=None),
        members=members,
        page=page_number,
        has_more=has_more,
        invitations_url=_invitations_url(group),
        labels=forms,
    )
    return (page, 400) if settings.errors or (add and add.errors) else page


@bp.route("/groups/<int:group_id>", methods=["GET", "POST"])
def group_detail(group_id: int) -> Page:
    group = queries.group_or_404(group_id)
    if request.method == "GET":
        return _group_page(group)
    form = forms.GroupSettingsForm()
    if form.validate_on_submit():
        with form_action(form, "name", passes=()) as action:
            groups.update_group(current_user, group, kind=form.kind.data, **form.settings())
        if action.refused:
            group = queries.group_or_404(group_id)  # reloaded after the rollback
        else:
            flash(_("The group settings are saved."), "success")
            return redirect(url_for("admin.group_detail", group_id=group.id))
    return _group_page(group, settings=form)


@bp.route("/groups/<int:group_id>/<any(archive, unarchive):change>", methods=["GET", "POST"])
def group_state(group_id: int, change: str) -> Page:
    """Archiving asks first: a confirmation page, then a POST."""
    group = queries.group_or_404(group_id)
    form = forms.ConfirmForm()
    if form.validate_on_submit():
        (groups.archive_group if change == "archive" else groups.unarchive_group)(current_user, group)
        db.session.commit()
        flash(_("The group is archived.") if change == "archive" else _("The group is open again."), "success")
        return redirect(url_for("admin.group_detail", group_id=group.id))
    return render_template("admin/group_state.html", group=group, change=change, form=form)


@bp.route("/groups/<int:group_id>/members", methods=["POST"])
def group_add_member(group_id: int) -> Page:
    group = queries.group_or_404(group_id)
    form = forms.AddMemberForm()
    if form.validate_on_submit():
        person = queries.find_username(form.username.data)
        if person is None:
            form.username.errors = [_("There is no account with that username. Check the spelling.")]
        else:
            with form_action(form, "username", passes=()) as action:
                groups.add_member(current_user, group, person, role=form.role.data)
            if action.ok:
                flash(_("%(name)s is now in the group.", name=person.display_name), "success")
                return redirect(url_for("admin.group_detail", group_id=group.id))
    return _group_page(queries.group_or_404(group_id), add=form)


@bp.route("/groups/<int:group_id>/members/<int:user_id>/role", methods=["POST"])
def group_member_role(group_id: int, user_id: int) -> Response:
    group, person = queries.group_or_404(group_id), queries.user_or_404(user_id)
    form = forms.RoleForm()
    if not form.validate_on_submit():
        raise DomainError(_("The form was out of date. Please try again."))
    groups.set_role(current_user, group, person, form.role.data or "")
    db.session.commit()
    flash(_("%(name)s's role is now: %(role)s.", name=person.display_name, role=role_label(form.role.data)), "success")
    return redirect(url_for("admin.group_detail", group_id=group.id))


@bp.route("/groups/<int:group_id>/members/<int:user_id>/remove", methods=["GET", "POST"])
def group_member_remove(group_id: int, user_id: int) -> Page:
    group, person = queries.group_or_404(group_id), queries.user_or_404(user_id)
    form = forms.RemoveForm()
    if form.validate_on_submit():
        with form_action(form, "reason", passes=()) as action:
            groups.remove_member(
                current_user, group, person, form.reason.data or "", revoke_codes=bool(form.revoke_codes.data)
            )
        if action.ok:
            flash(_("%(name)s is removed from the group.", name=person.display_name), "success")
            return redirect(url_for("admin.group_detail", group_id=group.id))
    group, person = queries.group_or_404(group_id), queries.user_or_404(user_id)
    codes = groups.codes_used_by(group, person)
    page = render_template("admin/member_remove.html", group=group, person=person, form=form, codes=codes)
    return (page, 400) if form.errors else page


@bp.route("/accounts")
def account_list() -> str:
    form = forms.AccountSearchForm(request.args)
    page = request.args.get("page", 1, type=int) or 1
    accounts, has_more = queries.search_accounts(form.q.data or "", page)
    return render_template(
        "admin/accounts.html", form=form, accounts=accounts, page=page, has_more=has_more, labels=forms
    )


def _account_page(person: Any, form: FlaskForm | None = None) -> Page:
    page = render_template(
        "admin/account.html",
        person=person,
        memberships=queries.account_groups(person),
        form=form or forms.SuspendForm(formdata=None),
        can_suspend=auth_policy.can_suspend_account(current_user, person),
        can_unsuspend=auth_policy.can_unsuspend_account(current_user, person),
        show_contact=policy.can_see_contact_details(current_user, person),
        labels=forms,
        format_time=queries.format_time,
    )
    return (page, 400) if form is not None and form.errors else page


@bp.route("/accounts/<int:user_id>")
def account_detail(user_id: int) -> Page:
    person = queries.open_account(current_user, user_id)
    db.session.commit()  # the access-log line
    return _account_page(person)


@bp.route("/accounts/<int:user_id>/suspend", methods=["POST"])
def account_suspend(user_id: int) -> Page:
    person = queries.user_or_404(user_id)
    form = forms.SuspendForm()
    if form.validate_on_submit():
        until = datetime.combine(form.until.data, time()) if form.until.data else None
        try:
            admin_actions.suspend_account(current_user, person, form.reason.data or "", until)
        except DomainError as error:
            if error.field is None:
                raise  # not about the input (their own account, not active): the error page says why
            db.session.rollback()
            put_error_on_field(form, error, "reason")
        else:
            db.session.commit()
            flash(_("The account of %(name)s is suspended and signed out.", name=person.display_name), "success")
            return redirect(url_for("admin.account_detail", user_id=person.id))
    return _account_page(queries.user_or_404(user_id), form)


@bp.route("/accounts/<int:user_id>/unsuspend", methods=["POST"])
def account_unsuspend(user_id: int) -> Response:
    person = queries.user_or_404(user_id)
    if not forms.ConfirmForm().validate_on_submit():
        raise DomainError(_("The form was out of date. Please try again."))
    admin_actions.unsuspend_account(current_user, person)
    db.session.commit()
    flash(_("The suspension of %(name)s is lifted.", name=person.display_name), "success")
    return redirect(url_for("admin.account_detail", user_id=person.id))


def _audit_filters() -> tuple[forms.AuditFilterForm, str, int | None]:
    form = forms.AuditFilterForm(request.args)
    form.action.choices = [SelectChoice("", _("All actions")), *(SelectChoice(a, a) for a in queries.audit_actions())]
    form.group.choices = [
        SelectChoice("", _("All groups")),
        *(SelectChoice(str(gid), name) for gid, name in queries.group_choices()),
    ]
    group_id = int(form.group.data) if (form.group.data or "").isdigit() else None
    return form, (form.action.data or "")[:64], group_id


def _audit_search(form: forms.AuditFilterForm) -> dict:
    """Who, on what, and when. A field that is not valid is left out (the form shows why)."""
    form.validate()
    target_id = (form.target_id.data or "").strip()
    until = form.until.data if not form.until.errors else None
    return {
        "actor": (form.actor.data or "").strip()[:64],
        "target_type": (form.target_type.data or "").strip()[:32],
        "target_id": int(target_id) if target_id.isdigit() and int(target_id) < 2**31 else None,
        "since": datetime.combine(form.since.data, time.min) if form.since.data and not form.since.errors else None,
        "until": datetime.combine(until + timedelta(days=1), time.min) if until else None,
    }


def _search_args(search: dict) -> dict:
    """The search again as query arguments (pager and CSV links)."""
    args = {key: search[key] or None for key in ("actor", "target_type", "target_id")}
    args["since"] = search["since"].date().isoformat() if search["since"] else None
    args["until"] = (search["until"] - timedelta(days=1)).date().isoformat() if search["until"] else None
    return args


@bp.route("/audit")
def audit_log() -> str:
    form, action, group_id = _audit_filters()
    search = _audit_search(form)
    before = request.args.get("before", type=int)
    rows, next_before = queries.audit_rows(before_id=before, action=action, group_id=group_id, **search)
    return render_template(
        "admin/audit.html",
        form=form,
        rows=rows,
        next_before=next_before,
        filters={"action": action or None, "group": group_id, **_search_args(search)},
        format_time=queries.format_time,
    )


@bp.route("/audit.csv")
def audit_csv() -> Response:
    form, action, group_id = _audit_filters()
    return audit_csv_response(action=action, group_id=group_id, **_audit_search(form))


@bp.route("/audit/verify", methods=["POST"])
def audit_verify() -> Response:
    if not forms.ConfirmForm().validate_on_submit():
        raise DomainError(_("The form was out of date. Please try again."))
    report = audit.verify_chain()
    if report.ok:
        flash(_("The audit log is intact: %(count)d entries checked.", count=report.checked), "success")
    else:
        flash(
            _(
                "The audit log was changed at entry %(id)d: %(problem)s.",
                id=report.first_bad_id,
                problem=report.problem,
            ),
            "error",
        )
    return redirect(url_for("admin.audit_log"))
