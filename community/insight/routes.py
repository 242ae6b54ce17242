"""HTTP adapters for staff insight. Every page re-checks access through the services (404 for a group the person
cannot see); bad dates re-render the form with the message."""

from __future__ import annotations

from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from community.core.errors import DomainError
from community.core.forms import form_action
from community.core.time import utcnow
from community.extensions import db
from community.insight import bp, charts, handover, pilot, policy, services


def _period():
    return services.parse_period(request.args.get("start"), request.args.get("end"), today=utcnow().date())


@bp.route("/insight")
def overview() -> str:
    return render_template("insight/overview.html", groups=services.insight_groups(current_user))


@bp.route("/insight/<slug>")
def group_page(slug: str):
    group = services.open_for(current_user, slug)
    try:
        period = _period()
    except DomainError as error:
        page = render_template("insight/dashboard.html", group=group, board=None, error=error, args=request.args)
        return page, 400
    board = services.dashboard(current_user, slug, period, utcnow())
    return render_template("insight/dashboard.html", group=group, board=board, error=None, args=request.args,
                           charts=charts.activity_charts(board))  # fmt: skip


@bp.route("/insight/<slug>/export.csv")
def export_csv(slug: str) -> Response:
    services.open_for(current_user, slug)
    board = services.dashboard(current_user, slug, _period(), utcnow())  # a bad period: the error page, 400
    name = f"kring-insight-{board.group.slug}-{board.period.first_day}-{board.period.last_day}.csv"
    return Response(services.as_csv(board), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})  # fmt: skip


@bp.route("/insight/<slug>/workload")
def workload(slug: str):
    group, rows = services.workload_view(current_user, slug, _period(), utcnow())
    return render_template("insight/workload.html", group=group, rows=rows, period=_period())


@bp.route("/insight/<slug>/handover")
def handover_board(slug: str):
    before = request.args.get("before", type=int)
    page = handover.board(current_user, slug, before_id=before if before and before > 0 else None)
    return render_template("insight/handover.html", page=page, error=None, body="")


@bp.route("/insight/<slug>/handover", methods=["POST"])
def add_handover_note(slug: str):
    body = request.form.get("body", "")
    with form_action(flash_unplaced=False) as action:  # not found / forbidden: the error page, not the form
        handover.add_note(current_user, slug, body)
    if action.error:
        return render_template("insight/handover.html", page=handover.board(current_user, slug), error=action.error,
                               body=body), 400  # fmt: skip
    flash(_("Your note is on the board."), "success")
    return redirect(url_for("insight.handover_board", slug=slug), 303)


@bp.route("/insight/<slug>/pilot")
def pilot_page(slug: str):
    view = pilot.pilot_view(current_user, slug, utcnow())
    return render_template("insight/pilot.html", view=view, metrics=pilot.METRICS, error=None, form={},
                           can_edit=policy.can_set_goals(current_user, view.group))  # fmt: skip


@bp.route("/insight/<slug>/pilot/goals", methods=["POST"])
def add_goal(slug: str):
    with form_action(flash_unplaced=False) as action:  # not found / forbidden: the error page, not the form
        pilot.add_goal(current_user, slug, request.form.get("metric", ""), request.form.get("threshold", ""))
    if action.error:
        view = pilot.pilot_view(current_user, slug, utcnow())
        return render_template("insight/pilot.html", view=view, metrics=pilot.METRICS, error=action.error,
                               form=request.form, can_edit=True), 400  # fmt: skip
    flash(_("The goal is added."), "success")
    return redirect(url_for("insight.pilot_page", slug=slug), 303)


@bp.route("/insight/<slug>/pilot/goals/<int:goal_id>/remove", methods=["POST"])
def remove_goal(slug: str, goal_id: int) -> Response:
    pilot.remove_goal(current_user, slug, goal_id)
    db.session.commit()
    flash(_("The goal is removed."), "success")
    return redirect(url_for("insight.pilot_page", slug=slug), 303)


@bp.route("/insight/<slug>/email-naming", methods=["POST"])
def email_naming(slug: str) -> Response:
    pilot.set_sensitive(current_user, slug, request.form.get("sensitive") != "0")
    db.session.commit()
    flash(_("Saved how emails mention this group."), "success")
    return redirect(url_for("insight.pilot_page", slug=slug), 303)
