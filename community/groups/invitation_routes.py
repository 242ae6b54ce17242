"""HTTP adapters for invitations: the staff page of a group, and the public pages that accept an invitation."""

from __future__ import annotations

from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm

from community.auth.routes import begin_session
from community.core.errors import DomainError, NotFound
from community.core.forms import form_action
from community.core.security import member_limit, no_store, public, token_page
from community.extensions import db, limiter
from community.groups import bp, invitations, policy, signup_sections
from community.groups import invitation_staff as staff
from community.groups.invitation_forms import AcceptForm, CodeForm, JoinForm, staff_forms

Page = str | Response | tuple[str, int]


@bp.app_template_global("can_invite")
def can_invite(user: object, group: object, membership: object) -> bool:
    """For templates: show "Invite people" only to those the policy lets invite."""
    return policy.can_invite(user, group, membership)  # type: ignore[arg-type]


# --- staff: list, invite, resend, revoke --------------------------------------------------------------------


def _invitations_asked() -> int:
    """What one POST costs against ``INVITE_RATE``: each address of a bulk list (a list may send 200 mails),
    otherwise one. A list the service refuses as too long costs one."""
    if request.form.get("action") != "bulk":
        return 1
    addresses = staff.count_addresses(request.form.get("bulk-emails", ""))  # the bulk form has prefix "bulk"
    return addresses if 1 <= addresses <= staff.MAX_BULK_ROWS else 1


invite_limit = member_limit("INVITE_RATE", "invite", methods=["POST"], cost=_invitations_asked)


def _invite(kind: str, form: FlaskForm, group: object) -> object:
    """Call the one service the submitted form asks for; its result is shown on the page."""
    days = int(form.days.data)  # one of the SelectField's choices, checked by validate()
    if kind == "email":
        return staff.create_email_invitation(current_user, group, form.email.data, form.role.data, days)
    if kind == "code":
        return staff.create_code_invitation(current_user, group, form.role.data, days, form.max_uses.data)
    return staff.bulk_invite(current_user, group, form.emails.data, form.role.data, days)


def _staff_page(slug: str, submitted: str | None) -> Page:
    group, membership = staff.open_for_inviting(current_user, slug)
    forms = staff_forms(policy.invitable_roles(current_user, group, membership), submitted)
    outcome = None
    if submitted and forms[submitted].validate_on_submit():
        with form_action(forms[submitted], "role", passes=()) as action:
            outcome = _invite(submitted, forms[submitted], group)
        if action.ok and submitted == "email":
            flash(_("The invitation is on its way."), "success")
            return redirect(url_for("groups.invitations_page", slug=slug), 303)
    return render_template(
        "groups/invitations.html",
        group=group,
        forms=forms,
        invitations=staff.list_invitations(current_user, group),
        created=outcome if submitted == "code" else None,
        results=outcome if submitted == "bulk" else None,
        invite_link=invitations.invite_link,
        effective_state=invitations.effective_state,
        may_manage=lambda invitation: policy.can_invite_as(current_user, group, membership, invitation.role),
        may_see_email=lambda invitation: policy.can_see_invitation_email(current_user, invitation.created_by_id),
    ), 400 if submitted and forms[submitted].errors else 200


@bp.route("/g/<slug>/invitations", methods=["GET", "POST"])
@invite_limit
def invitations_page(slug: str) -> Page:
    submitted = request.form.get("action") if request.method == "POST" else None
    if submitted not in (None, "email", "code", "bulk"):
        raise NotFound(_("We could not find that page."))
    return _staff_page(slug, submitted)


@bp.route("/g/<slug>/invitations/<int:invitation_id>/<any(resend, revoke):action>", methods=["POST"])
@member_limit("INVITE_RATE", "invite", exempt_when=lambda: request.view_args.get("action") != "resend")
def invitation_action(slug: str, invitation_id: int, action: str) -> Response:
    group, _membership = staff.open_for_inviting(current_user, slug)
    invitation = staff.get_invitation(group, invitation_id)
    with form_action(passes=(NotFound,)) as done:
        if action == "resend":
            staff.resend(current_user, invitation)
        else:
            staff.revoke(current_user, invitation)
    if done.ok:
        flash(_("The invitation was sent again.") if action == "resend" else _("The invitation was withdrawn."), "info")
    return redirect(url_for("groups.invitations_page", slug=slug), 303)


# --- public: accepting --------------------------------------------------------------------------------------


def _invalid_page(error: DomainError) -> Page:
    db.session.rollback()
    return render_template("groups/accept_invalid.html", message=error.message), error.status_code


@bp.route("/invite/<token>", methods=["GET", "POST"])
@public
@token_page
@limiter.limit("10 per minute", methods=["POST"])
def accept_invitation(token: str) -> Page:
    try:
        invitation = invitations.find_invitation(token)
    except DomainError as error:
        return _invalid_page(error)
    if current_user.is_authenticated:
        return _join_as_member(token, invitation)
    form, form_error = AcceptForm(), None
    if not form.is_submitted():
        form.language.data = get_locale().language  # the browser's language (or the picker's) as the default
    if form.validate_on_submit():
        with form_action(form, passes=(), unplaced=(invitations.InvitationGone,), flash_unplaced=False) as action:
            user, group = invitations.accept_with_new_account(
                token,
                username=form.username.data,
                display_name=form.display_name.data,
                password=form.password.data,
                language=form.language.data,
                year_of_birth=form.year_of_birth.data,
                form_data={
                    "consent": form.consent.data,
                    "guardian_email": form.guardian_email.data,
                    "versions": request.form.getlist("consent_version"),
                },
            )
        if isinstance(action.error, invitations.InvitationGone):
            return _invalid_page(action.error)
        form_error = action.message
        if action.ok:
            begin_session(user)
            flash(_("Welcome to %(group)s.", group=group.name), "success")
            return redirect(url_for("groups.group_page", slug=group.slug), 303)
    failed = request.method == "POST"
    html = render_template(
        "groups/accept.html",
        form=form,
        invitation=invitation,
        form_error=form_error,
        signup_sections=signup_sections.sections_for(),
    )
    return html, 400 if failed else 200


def _join_as_member(token: str, invitation: object) -> Page:
    form, form_error = JoinForm(), None
    if form.validate_on_submit():
        with form_action(passes=(), unplaced=(invitations.InvitationGone,), flash_unplaced=False) as action:
            group = invitations.accept_as_member(current_user, token)
        if isinstance(action.error, invitations.InvitationGone):
            return _invalid_page(action.error)
        form_error = action.message
        if action.ok:
            flash(_("You joined %(group)s.", group=group.name), "success")
            return redirect(url_for("groups.group_page", slug=group.slug), 303)
    html = render_template("groups/accept_join.html", form=form, invitation=invitation, form_error=form_error)
    return html, 400 if form_error else 200


@bp.route("/join", methods=["GET", "POST"])
@public
@no_store  # not a token page (no secret in its address), but the typed code is in the form and the redirect
@limiter.limit("10 per minute", methods=["POST"])
def join_with_code() -> Page:
    form = CodeForm()
    if form.validate_on_submit():
        try:
            invitations.find_invitation(form.code.data)
        except DomainError as error:
            form.code.errors = [error.message]
        else:
            return redirect(url_for("groups.accept_invitation", token=form.code.data.strip()), 303)
    return render_template("groups/accept_code.html", form=form), 400 if form.errors else 200
