"""HTTP adapters for the pipeline rules: keyword filters, a group's moderation settings, lifting slow mode.

Instance-wide filters (``/moderation/filters``) are for admins; a group's (``/moderation/g/<slug>/filters``)
for its moderators and admins. Anyone else gets 404, as for a group they are not in.
"""

from __future__ import annotations

from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from community.core.forms import form_action
from community.extensions import db
from community.groups.models import Group, Membership
from community.groups.services import open_group_settings
from community.moderation import bp, conflict, filters, group_settings
from community.moderation.filters_forms import FilterForm, SettingsForm

Page = str | Response | tuple[str, int]


def _group(slug: str) -> tuple[Group, Membership | None]:
    """The group and the actor's membership. Admins reach any group (its rules, not its content)."""
    access = open_group_settings(current_user, slug)
    return access.group, access.membership


def _list_url(group: Group | None) -> str:
    return url_for("moderation.group_filters", slug=group.slug) if group else url_for("moderation.instance_filters")


def _filters_page(group: Group | None, membership: Membership | None, rule_id: int | None = None) -> Page:
    rules = filters.list_rules(current_user, group, membership)
    rule = filters.get_rule(current_user, group, membership, rule_id) if rule_id else None
    if request.method == "GET" and rule is not None:
        data = {"pattern": rule.pattern, "match": rule.match, "action": rule.action, "reason": rule.reason}
        form = FilterForm(formdata=None, data={**data, "enabled": rule.enabled})
    else:
        form = FilterForm()
    form_error, sample, saved = None, None, None
    status = 200
    if request.method == "POST" and form.validate_on_submit():
        # A refusal goes beside its field, else above the form; trying a sample stores nothing.
        with form_action(form, passes=(), flash_unplaced=False) as action:
            if form.test.data:
                sample = filters.test_sample(
                    current_user, group, membership, form.sample.data or "",
                    pattern=form.pattern.data or "", match=form.match.data or "word",
                )  # fmt: skip
            else:
                saved = filters.save_rule(
                    current_user, group, membership,
                    pattern=form.pattern.data or "", match=form.match.data or "", action=form.action.data or "",
                    reason=form.reason.data or "", enabled=bool(form.enabled.data), rule_id=rule_id,
                )  # fmt: skip
        if action.refused:
            form_error, status = action.message, 400
        elif saved is not None:
            flash(_("The filter is saved.") if rule_id else _("The filter is added."), "success")
            return redirect(_list_url(group) + f"#filter-{saved.id}", 303)
    elif request.method == "POST":
        status = 400
    html = render_template(
        "moderation/filters.html",
        group=group,
        rules=rules,
        unusable={item.id for item in rules if not filters.usable(item.pattern, item.match)},
        rule=rule,
        form=form,
        form_error=form_error,
        sample=sample,
        list_url=_list_url(group),
    )
    return html, status


@bp.route("/filters", methods=["GET", "POST"])
def instance_filters() -> Page:
    return _filters_page(None, None)


@bp.route("/filters/<int:rule_id>", methods=["GET", "POST"])
def instance_filter(rule_id: int) -> Page:
    return _filters_page(None, None, rule_id)


@bp.route("/g/<slug>/filters", methods=["GET", "POST"])
def group_filters(slug: str) -> Page:
    return _filters_page(*_group(slug))


@bp.route("/g/<slug>/filters/<int:rule_id>", methods=["GET", "POST"])
def group_filter(slug: str, rule_id: int) -> Page:
    return _filters_page(*_group(slug), rule_id)


def _delete(group: Group | None, membership: Membership | None, rule_id: int) -> Response:
    # CSRF: checked for every POST by CSRFProtect (community.extensions.csrf).
    filters.delete_rule(current_user, group, membership, rule_id)
    db.session.commit()
    flash(_("The filter is deleted."), "success")
    return redirect(_list_url(group), 303)


@bp.route("/filters/<int:rule_id>/delete", methods=["POST"])
def delete_instance_filter(rule_id: int) -> Response:
    return _delete(None, None, rule_id)


@bp.route("/g/<slug>/filters/<int:rule_id>/delete", methods=["POST"])
def delete_group_filter(slug: str, rule_id: int) -> Response:
    group, membership = _group(slug)
    return _delete(group, membership, rule_id)


# --- a group's moderation settings -----------------------------------------------------------------------------


@bp.route("/g/<slug>/settings", methods=["GET", "POST"])
def group_moderation_settings(slug: str) -> Page:
    group, membership = _group(slug)
    view = group_settings.current(current_user, group, membership)
    form = SettingsForm(formdata=None, obj=view) if request.method == "GET" else SettingsForm()
    form_error, status = None, 200
    if request.method == "POST":
        status = 400
        if form.validate_on_submit():
            with form_action(form, passes=(), flash_unplaced=False) as action:  # beside its field, else above
                changed = group_settings.update(
                    current_user, group, membership,
                    premoderation=form.premoderation.data or "",
                    premoderation_first_posts=form.premoderation_first_posts.data,
                    personal_details_mode=form.personal_details_mode.data or "",
                    auto_slowdown=bool(form.auto_slowdown.data),
                    new_member_max_links=form.new_member_max_links.data,
                    new_member_max_mentions=form.new_member_max_mentions.data,
                    report_hide_threshold=form.report_hide_threshold.data,
                )  # fmt: skip
            form_error = action.message
            if action.ok:
                flash(_("The settings are saved.") if changed else _("Nothing was changed."), "success")
                return redirect(url_for("moderation.group_moderation_settings", slug=slug), 303)
        else:
            form_error = _("Some values were not numbers. Please check the form.")
    html = render_template("moderation/settings.html", group=group, view=view, form=form, form_error=form_error)
    return html, status


@bp.route("/g/<slug>/slow-mode", methods=["POST"])
def set_slow_mode(slug: str) -> Response:
    """Turn slow mode on or off for a topic or the group's chat room (``place_type``, ``place_id``, ``seconds``)."""
    group, membership = _group(slug)
    place_type = request.form.get("place_type", "")
    place_id = request.form.get("place_id", 0, type=int) or 0
    seconds = request.form.get("seconds", -1, type=int)
    conflict.set_slow_mode(current_user, group, membership, (place_type, place_id), seconds)
    db.session.commit()
    flash(_("Slow mode is lifted.") if seconds == 0 else _("Slow mode is on."), "success")
    if request.form.get("back") == "settings":
        return redirect(url_for("moderation.group_moderation_settings", slug=group.slug), 303)
    if place_type == "topic":
        return redirect(url_for("forum.topic_page", slug=group.slug, topic_id=place_id), 303)
    return redirect(url_for("chat.room_page", slug=group.slug), 303)
