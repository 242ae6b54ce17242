"""HTTP adapters for requests: the list of one's requests (sent and received), a request's page, and the
professional's accept / decline and the member's withdraw."""

from __future__ import annotations

from flask import Response, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from community.core.forms import form_action, select_choices
from community.extensions import db
from community.professionals import bp, policy, questions
from community.professionals import requests as service
from community.professionals.forms import ActionForm, DeclineForm, int_or_none
from community.professionals.group_reach import care_group_ids
from community.professionals.local_time import local_now

Page = str | Response | tuple[str, int]


@bp.route("/professionals/requests")
def requests_page() -> str:
    works_in = care_group_ids(current_user)
    return render_template(
        "professionals/requests.html",
        sent=service.sent_requests(current_user),
        received=service.received_requests(current_user) if works_in else [],
        is_professional=policy.is_professional(current_user, works_in),
        my_questions=questions.my_questions(current_user),
        now=local_now(),
    )


def _decline_form(view: service.RequestView) -> DeclineForm:
    form = DeclineForm()
    choices = [("", _("No suggestion"))]
    if view.is_professional and view.request.state == "open":
        choices += [(str(p.id), p.public_name) for p in service.colleagues(current_user, view.request)]
    form.suggested_profile_id.choices = select_choices(choices)
    return form


def _page(view: service.RequestView, decline_form: DeclineForm, status: int = 200) -> tuple[str, int]:
    return render_template(
        "professionals/request.html", view=view, decline_form=decline_form, action_form=ActionForm(),
        can_decide=policy.can_decide_request(current_user, view.request, care_group_ids(current_user)),
        can_withdraw=policy.can_withdraw_request(current_user, view.request),
    ), status  # fmt: skip


@bp.route("/professionals/requests/<int:request_id>")
def request_page(request_id: int) -> Page:
    view = service.open_request(current_user, request_id)
    return _page(view, _decline_form(view))


@bp.route("/professionals/requests/<int:request_id>/accept", methods=["POST"])
def accept_request(request_id: int) -> Page:
    view = service.open_request(current_user, request_id)
    if not ActionForm().validate_on_submit():
        return _page(view, _decline_form(view), 400)
    request = service.accept_request(current_user, request_id)
    db.session.commit()
    flash(_("You accepted the request. The private conversation is open."), "success")
    return redirect(url_for("chat.conversation_page", conversation_id=request.conversation_id), 303)


@bp.route("/professionals/requests/<int:request_id>/decline", methods=["POST"])
def decline_request(request_id: int) -> Page:
    view = service.open_request(current_user, request_id)
    form = _decline_form(view)
    if form.validate_on_submit():
        with form_action(form, "note") as action:
            service.decline_request(
                current_user, request_id, note=form.note.data or "",
                suggested_profile_id=int_or_none(form.suggested_profile_id.data),
            )  # fmt: skip
        if action.ok:
            flash(_("You declined the request. The member has been told."), "success")
            return redirect(url_for("professionals.requests_page"), 303)
    return _page(service.open_request(current_user, request_id), form, 400)


@bp.route("/professionals/requests/<int:request_id>/withdraw", methods=["POST"])
def withdraw_request(request_id: int) -> Page:
    view = service.open_request(current_user, request_id)
    if not ActionForm().validate_on_submit():
        return _page(view, _decline_form(view), 400)
    service.withdraw_request(current_user, request_id)
    db.session.commit()
    flash(_("You withdrew the request."), "success")
    return redirect(url_for("professionals.requests_page"), 303)
