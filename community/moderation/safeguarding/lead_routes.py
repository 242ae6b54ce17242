"""HTTP adapters for the safeguarding leads pages (on the moderation blueprint): the installation's leads and
rota (``/moderation/safeguarding/leads``, admins) and a group's leads, rota and response times
(``/moderation/g/<slug>/safeguarding-leads``, admins and the group's managers). Everyone else gets 404, as for a
group they are not in; the rules are ``leads``'. Each action calls one service, commits once and redirects, or
shows the page again with the reason beside the field (HTTP 400)."""

from __future__ import annotations

from flask import Response, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm

from community.core.forms import form_action, select_choices
from community.groups.models import Group, Membership
from community.groups.services import open_group_settings
from community.moderation import bp
from community.moderation.safeguarding import leads, policy
from community.moderation.safeguarding.forms import LeadForm, RemoveForm, ResponseTimeForm, RotaForm

Page = str | Response | tuple[str, int]
Scope = tuple[Group | None, Membership | None]


def _scope(slug: str | None) -> Scope:
    if slug is None:
        return None, None
    access = open_group_settings(current_user, slug)  # 404 for a group the actor is not in (admins reach all)
    return access.group, access.membership


@bp.app_template_global("may_manage_safeguarding_leads")
def may_manage_safeguarding_leads(group: Group) -> bool:
    """Whether a group's pages link to its safeguarding leads page (admins and the group's managers)."""
    if not getattr(current_user, "is_authenticated", False):
        return False
    membership = next((m for m in current_user.memberships if m.group_id == group.id), None)
    return policy.can_manage_group_leads(current_user, group, membership)


def _page_url(group: Group | None) -> str:
    if group is None:
        return url_for("moderation.safeguarding_leads")
    return url_for("moderation.group_safeguarding_leads", slug=group.slug)


def _render(scope: Scope, *, status: int = 200, **forms: FlaskForm) -> tuple[str, int]:
    group, membership = scope
    view = leads.leads_page(current_user, group, membership)
    rota_form = forms.get("rota_form") or RotaForm(formdata=None)
    rota_form.lead_id.choices = select_choices(
        (
            row.lead.id,
            _(
                "%(name)s (@%(username)s), tier %(tier)d",
                name=row.lead.user.display_name,
                username=row.lead.user.username,
                tier=row.lead.tier,
            ),
        )
        for row in view.leads
    )
    times = forms.get("times_form") or ResponseTimeForm(
        formdata=None, data={"acute_minutes": view.acute_minutes, "concern_minutes": view.concern_minutes}
    )
    html = render_template(
        "moderation/safeguarding/leads.html",
        view=view,
        group=group,
        lead_form=forms.get("lead_form") or LeadForm(formdata=None),
        rota_form=rota_form,
        times_form=times,
        remove_form=RemoveForm(formdata=None),
        page_url=_page_url(group),
        slug=group.slug if group else None,
    )
    return html, status


def _done(group: Group | None, message: str, anchor: str) -> Response:
    flash(message, "success")
    return redirect(_page_url(group) + f"#{anchor}", 303)


def _add_lead(slug: str | None) -> Page:
    scope = _scope(slug)
    form = LeadForm()
    if form.validate_on_submit():
        with form_action(form, "username") as action:
            leads.add_lead(
                current_user, *scope, username=form.username.data or "", tier=form.tier.data or 0,
                reason=form.reason.data or "",
            )  # fmt: skip
        if action.ok:
            return _done(scope[0], _("The lead is added."), "leads")
    return _render(scope, status=400, lead_form=form)


def _remove_lead(slug: str | None, lead_id: int) -> Page:
    scope = _scope(slug)
    form = RemoveForm()
    if form.validate_on_submit():
        with form_action(form) as action:  # the reason's refusal is flashed: the row form is closed
            leads.remove_lead(current_user, *scope, lead_id, reason=form.reason.data or "")
        if action.ok:
            return _done(scope[0], _("The lead is removed, with their on-call periods."), "leads")
    return redirect(_page_url(scope[0]) + "#leads", 303)


def _add_rota(slug: str | None) -> Page:
    scope = _scope(slug)
    form = RotaForm()
    form.lead_id.choices = []  # the service checks the lead; the page fills the list again
    if form.validate_on_submit():
        with form_action(form, "starts_at") as action:
            leads.add_rota_entry(
                current_user, *scope, lead_id=form.lead_id.data or 0, starts_local=form.starts_at.data,
                ends_local=form.ends_at.data, reason=form.reason.data or "",
            )  # fmt: skip
        if action.ok:
            return _done(scope[0], _("The period is on the rota."), "rota")
    return _render(scope, status=400, rota_form=form)


def _remove_rota(slug: str | None, entry_id: int) -> Page:
    scope = _scope(slug)
    form = RemoveForm()
    if form.validate_on_submit():
        with form_action(form) as action:
            leads.remove_rota_entry(current_user, *scope, entry_id, reason=form.reason.data or "")
        if action.ok:
            return _done(scope[0], _("The period is taken off the rota."), "rota")
    return redirect(_page_url(scope[0]) + "#rota", 303)


# --- the installation (admins) ---------------------------------------------------------------------------------


@bp.route("/safeguarding/leads")
def safeguarding_leads() -> Page:
    return _render(_scope(None))


@bp.route("/safeguarding/leads/add", methods=["POST"])
def safeguarding_lead_add() -> Page:
    return _add_lead(None)


@bp.route("/safeguarding/leads/<int:lead_id>/remove", methods=["POST"])
def safeguarding_lead_remove(lead_id: int) -> Page:
    return _remove_lead(None, lead_id)


@bp.route("/safeguarding/rota/add", methods=["POST"])
def safeguarding_rota_add() -> Page:
    return _add_rota(None)


@bp.route("/safeguarding/rota/<int:entry_id>/remove", methods=["POST"])
def safeguarding_rota_remove(entry_id: int) -> Page:
    return _remove_rota(None, entry_id)


# --- a group (admins and the group's managers) -------------------------------------------------------------------


@bp.route("/g/<slug>/safeguarding-leads")
def group_safeguarding_leads(slug: str) -> Page:
    return _render(_scope(slug))


@bp.route("/g/<slug>/safeguarding-leads/add", methods=["POST"])
def group_safeguarding_lead_add(slug: str) -> Page:
    return _add_lead(slug)


@bp.route("/g/<slug>/safeguarding-leads/<int:lead_id>/remove", methods=["POST"])
def group_safeguarding_lead_remove(slug: str, lead_id: int) -> Page:
    return _remove_lead(slug, lead_id)


@bp.route("/g/<slug>/safeguarding-rota/add", methods=["POST"])
def group_safeguarding_rota_add(slug: str) -> Page:
    return _add_rota(slug)


@bp.route("/g/<slug>/safeguarding-rota/<int:entry_id>/remove", methods=["POST"])
def group_safeguarding_rota_remove(slug: str, entry_id: int) -> Page:
    return _remove_rota(slug, entry_id)


@bp.route("/g/<slug>/safeguarding-leads/response-time", methods=["POST"])
def group_safeguarding_response_time(slug: str) -> Page:
    scope = _scope(slug)
    form = ResponseTimeForm()
    if form.validate_on_submit():
        with form_action(form, "acute_minutes") as action:
            changed = leads.set_response_times(
                current_user, *scope, acute=form.acute_minutes.data, concern=form.concern_minutes.data
            )
        if action.ok:
            return _done(scope[0], _("The response times are saved.") if changed else _("Nothing was changed."),
                         "response-time")  # fmt: skip
    return _render(scope, status=400, times_form=form)
