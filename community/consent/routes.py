"""HTTP adapters for members: the consent page, withdrawal, a group's rules, and the guardian's link."""

from __future__ import annotations

from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from community.consent import bp, forms, guardian, policy, rules, services, signup
from community.core.errors import DomainError, NotFound
from community.core.forms import form_action
from community.core.security import public, safe_next, token_page
from community.extensions import db, limiter
from community.groups.entry_checks import RULES_CHECK
from community.groups.services import GroupAccess, open_group

Page = str | Response | tuple[str, int]


# --- the platform's required documents ------------------------------------------------------------------------


@bp.route("/consent", methods=["GET", "POST"])
def required() -> Page:
    if guardian.is_pending(current_user):
        return redirect(url_for("consent.pending"), 303)
    form, error = forms.DecideForm(), None
    if form.validate_on_submit():
        posted = [int(v) for v in request.form.getlist("version") if v.isdigit()]
        agreed = {int(v) for v in request.form.getlist("agree") if v.isdigit()}
        with form_action(passes=(), flash_unplaced=False) as action:  # a refusal is shown above the documents
            services.decide(current_user, {vid: vid in agreed for vid in posted})
        error = action.message
        if action.ok:
            if services.has_required_consents(current_user):
                flash(_("Thank you. Your answers are saved."), "success")
                return redirect(safe_next(request.args.get("next")), 303)
            flash(_("Your answers are saved. Without agreeing you cannot use the groups."), "info")
            return redirect(url_for("consent.required"), 303)
    items = services.missing(current_user)
    if not items and request.method == "GET":
        return redirect(safe_next(request.args.get("next")), 303)
    html = render_template("consent/required.html", form=form, items=items, error=error, changes=services.changes)
    return html, 400 if error else 200  # signed in: never stored (core.security)


@bp.route("/consent/withdraw", methods=["GET", "POST"])
def withdraw() -> Page:
    form, error = forms.WithdrawForm(), None
    if form.validate_on_submit():
        if not form.confirm.data:
            form.confirm.errors = [_("Tick the box to confirm that you understand what happens.")]
        else:
            with form_action(passes=(), flash_unplaced=False) as action:  # a refusal is shown above the form
                services.withdraw(current_user, "health_data")
            error = action.message
            if action.ok:
                flash(_("You withdrew your consent. Your account is paused."), "info")
                return redirect(url_for("privacy.overview"), 303)
    status = 400 if (error or form.errors) else 200
    return render_template("consent/withdraw.html", form=form, error=error), status


# --- a minor waiting for a guardian ---------------------------------------------------------------------------


@bp.route("/consent/pending", methods=["GET", "POST"])
@limiter.limit("5 per hour", methods=["POST"])
def pending() -> Page:
    if not guardian.is_pending(current_user):
        return redirect(url_for("groups.home"), 303)
    form = forms.GuardianResendForm()
    if form.validate_on_submit():
        row = guardian.pending_row(current_user)
        with form_action(form, "guardian_email", passes=()) as action:
            guardian.request_confirmation(current_user, form.guardian_email.data or (row.guardian_email if row else ""))
        if action.ok:
            flash(_("We sent the link again."), "success")
            return redirect(url_for("consent.pending"), 303)
    return render_template("consent/pending.html", form=form), 400 if form.errors else 200


# --- the guardian's link (public) -----------------------------------------------------------------------------


@bp.route("/guardian/<token>", methods=["GET", "POST"])
@public
@token_page
@limiter.limit("10 per minute", methods=["POST"])
def guardian_link(token: str) -> Page:
    try:
        _row, child = guardian.check_link(token)
    except DomainError as error:
        db.session.rollback()
        return render_template("consent/guardian_invalid.html", message=error.message), error.status_code
    form = forms.GuardianConfirmForm()
    if form.validate_on_submit():
        if not form.confirm.data:
            form.confirm.errors = [_("Tick the box to confirm, or close this page to leave the account closed.")]
        else:
            guardian.confirm(token)
            db.session.commit()
            return render_template("consent/guardian_done.html")
    documents = signup.signup_versions()
    html = render_template("consent/guardian.html", form=form, child=child, documents=documents)
    return html, 400 if form.errors else 200


# --- a group's rules -------------------------------------------------------------------------------------------


def _open_for_rules(slug: str) -> GroupAccess:
    """``open_group`` without the rules check: this page is where the rules are read and accepted. The other
    entry checks still apply (a member who owes the platform's required consents is sent there first)."""
    return open_group(current_user, slug, skip_checks=(RULES_CHECK,))


def _posted_version(form: forms.AcceptRulesForm) -> int:
    """The version the member read and accepts; a hidden field that is not a number is a refusal like a stale one."""
    try:
        return int(form.version_id.data or 0)
    except ValueError:
        raise DomainError(_("Something in the request was not right.")) from None


@bp.route("/g/<slug>/rules", methods=["GET", "POST"])
def group_rules(slug: str) -> Page:
    access = _open_for_rules(slug)
    group, membership = access.group, access.membership
    form, error = forms.AcceptRulesForm(), None
    if form.validate_on_submit():
        with form_action(passes=(), flash_unplaced=False) as action:  # a refusal is shown above the rules
            rules.accept_rules(current_user, group, membership, _posted_version(form))
        error = action.message
        if action.ok:
            flash(_("Thank you. Welcome to %(group)s.", group=group.name), "success")
            return redirect(url_for("groups.group_page", slug=slug), 303)
    item = rules.rules_standing(current_user, group)
    pending_item = rules.needs_rules(current_user, group, membership)
    html = render_template(
        "consent/group_rules.html", group=group, item=item, pending=pending_item, form=form, error=error,
        changes=services.changes(pending_item) if pending_item else [],
        can_edit=policy.can_write_group_rules(current_user, group, membership),
    )  # fmt: skip
    return html, 400 if error else 200


@bp.route("/g/<slug>/rules/edit", methods=["GET", "POST"])
def group_rules_edit(slug: str) -> Page:
    access = _open_for_rules(slug)
    group, membership = access.group, access.membership
    if not policy.can_write_group_rules(current_user, group, membership):
        raise NotFound(_("We could not find that page."))
    item = rules.rules_standing(current_user, group)
    form = forms.RulesForm(data={"text": item.current.text if item else "", "language": current_user.language}
                           if request.method == "GET" else None)  # fmt: skip
    if form.validate_on_submit():
        with form_action(form, "text", passes=()) as action:
            rules.write_rules(current_user, group, language=form.language.data, text=form.text.data,
                              summary=form.summary.data or "")  # fmt: skip
        if action.ok:
            flash(_("The rules are published. Members are asked to accept them at their next visit."), "success")
            return redirect(url_for("consent.group_rules", slug=slug), 303)
    return render_template("consent/rules_edit.html", group=group, form=form), 400 if form.errors else 200
