"""HTTP adapters for questions to a group's professionals: asking (from the group), the question's page,
picking it up, answering, putting it back, and the professionals' list (waiting longest first)."""

from __future__ import annotations

import uuid

from flask import Response, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from community.core.errors import NotFound
from community.core.forms import form_action
from community.core.time import utcnow
from community.groups.services import GroupAccess, open_group
from community.professionals import bp, questions
from community.professionals.forms import ActionForm, AnswerForm, QuestionForm
from community.professionals.group_reach import care_group_ids

Page = str | Response | tuple[str, int]


def _ask_page(access: GroupAccess, form: QuestionForm, status: int = 200) -> tuple[str, int]:
    if not form.client_token.data:
        form.client_token.data = uuid.uuid4().hex
    return render_template(
        "professionals/ask.html", access=access, form=form, can_ask=questions.can_ask(current_user, access)
    ), status


@bp.route("/g/<slug>/ask")
def ask_page(slug: str) -> Page:
    return _ask_page(open_group(current_user, slug), QuestionForm())


@bp.route("/g/<slug>/ask", methods=["POST"])
def ask(slug: str) -> Page:
    access = open_group(current_user, slug)
    form = QuestionForm()
    if form.validate_on_submit():
        with form_action(form, "body", passes=()) as action:
            asked = questions.ask(
                current_user, access, body=form.body.data or "", email_me=form.email_me.data,
                client_token=form.client_token.data or "",
            )  # fmt: skip
        if action.ok:
            for notice in asked.notices:
                flash(notice, "notice")
            flash(_("Your question has been sent to the group's professionals."), "success")
            return redirect(url_for("professionals.question_page", slug=slug, question_id=asked.question.id), 303)
    return _ask_page(access, form, 400)


def _question_page(access: GroupAccess, question_id: int, form: AnswerForm, status: int = 200) -> tuple[str, int]:
    question = questions.open_question(current_user, access, question_id)
    return render_template(
        "professionals/question.html", access=access, question=question, form=form, action_form=ActionForm(),
        is_team=question.group_id in care_group_ids(current_user), now=utcnow(),
    ), status  # fmt: skip


@bp.route("/g/<slug>/questions/<int:question_id>")
def question_page(slug: str, question_id: int) -> Page:
    return _question_page(open_group(current_user, slug), question_id, AnswerForm())


def _action(slug: str, question_id: int, do, done: str) -> Page:
    access = open_group(current_user, slug)
    if not ActionForm().validate_on_submit():
        return _question_page(access, question_id, AnswerForm(formdata=None), 400)
    with form_action(passes=(NotFound,)) as action:
        do(current_user, access, question_id)
    if action.ok:
        flash(done, "success")
    return redirect(url_for("professionals.question_page", slug=slug, question_id=question_id), 303)


@bp.route("/g/<slug>/questions/<int:question_id>/claim", methods=["POST"])
def claim_question(slug: str, question_id: int) -> Page:
    return _action(slug, question_id, questions.claim, _("You picked up this question. Colleagues see it is taken."))


@bp.route("/g/<slug>/questions/<int:question_id>/release", methods=["POST"])
def release_question(slug: str, question_id: int) -> Page:
    return _action(slug, question_id, questions.release, _("The question is back with the team."))


@bp.route("/g/<slug>/questions/<int:question_id>/answer", methods=["POST"])
def answer_question(slug: str, question_id: int) -> Page:
    access = open_group(current_user, slug)
    form = AnswerForm()
    if form.validate_on_submit():
        with form_action(form, "body", passes=(NotFound,)) as action:
            questions.answer(current_user, access, question_id, body=form.body.data or "")
        if action.ok:
            flash(_("Your answer has been sent. The member has been told."), "success")
            return redirect(url_for("professionals.question_page", slug=slug, question_id=question_id), 303)
    return _question_page(access, question_id, form, 400)


@bp.route("/professionals/questions")
def questions_page() -> Page:
    """For professionals: questions of their groups, waiting longest first, with how long they have waited."""
    if not care_group_ids(current_user):
        raise NotFound(_("We could not find that page."))
    return render_template(
        "professionals/questions.html", waiting=questions.waiting_for(current_user),
        answered=questions.answered_by_team(current_user), now=utcnow(),
    )  # fmt: skip
