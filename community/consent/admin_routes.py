"""Admin pages for consent documents (/admin/consent) and the consent ledger CSV.

On consent's own admin blueprint (``consent_admin``, under ``/admin``), with the admin area's rule: admins only,
everyone else gets 404. ``consent.wiring`` lists the pages in the admin area's navigation (``core.admin_pages``).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from flask import Response, flash, redirect, render_template, stream_with_context, url_for
from flask_babel import gettext as _
from flask_login import current_user

from community.consent import admin_bp as bp
from community.consent import documents, forms, ledger
from community.core import audit
from community.core.errors import NotFound
from community.core.forms import form_action
from community.extensions import db
from community.groups.policy import can_manage_groups

Page = str | Response | tuple[str, int]


@bp.before_request
def admins_only() -> None:
    if not can_manage_groups(current_user):  # the admin area's rule (admin.policy.can_use_admin_area)
        raise NotFound(_("We could not find that page."))


@bp.route("/consent", methods=["GET", "POST"])
def consent_documents() -> Page:
    form = forms.DocumentForm()
    if form.validate_on_submit():
        with form_action(form, "title", passes=()) as action:
            document = documents.create_document(current_user, kind=form.kind.data, title=form.title.data,
                                                 required=bool(form.required.data))  # fmt: skip
        if action.ok:
            return redirect(url_for("consent_admin.consent_document", document_id=document.id), 303)
    listed = [(d, documents.current_number(d.id)) for d in documents.list_documents()]
    return render_template("consent/admin_documents.html", form=form, documents=listed), (400 if form.errors else 200)


@bp.route("/consent/<int:document_id>", methods=["GET", "POST"])
def consent_document(document_id: int) -> Page:
    document = documents.get_document(document_id)
    if document.group_id is not None:
        raise NotFound(_("We could not find that document."))
    form = forms.VersionForm()
    if form.validate_on_submit():
        with form_action(form, "text", passes=()) as action:
            documents.save_draft(current_user, document, language=form.language.data, text=form.text.data,
                                 summary=form.summary.data or "")  # fmt: skip
        if action.ok:
            flash(_("The draft is saved. Publish it when it is ready."), "success")
            return redirect(url_for("consent_admin.consent_document", document_id=document.id), 303)
    return render_template(
        "consent/admin_document.html", document=document, versions=documents.versions_of(document), form=form,
        publish_form=forms.PublishForm(),
    ), 400 if form.errors else 200  # fmt: skip


@bp.route("/consent/versions/<int:version_id>/publish", methods=["POST"])
def consent_publish(version_id: int) -> Response:
    version = documents.get_version(version_id)
    form = forms.PublishForm()
    if form.validate_on_submit():
        with form_action(passes=()) as action:
            documents.publish(current_user, version)
        if action.ok:
            flash(_("Published. Members are asked to agree at their next visit."), "success")
    return redirect(url_for("consent_admin.consent_document", document_id=version.document_id), 303)


LEDGER_COLUMNS = ("record_id", "member_ref", "document", "kind", "version", "language", "text_hash",
                  "decision", "method", "confirmed_by", "decided_at_utc")  # fmt: skip


def member_ref(user_id: int | None) -> str:
    return f"member-{user_id}" if user_id is not None else "member-unknown"


@bp.route("/consent/ledger.csv")
def consent_ledger_csv() -> Response:
    """Every consent record: ids and versions only (no names or emails), streamed in bounded batches."""
    audit.record("consent.ledger_exported", actor_id=current_user.id, target_type="consent_ledger")
    db.session.commit()

    def rows() -> Iterator[str]:
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(LEDGER_COLUMNS)
        for record, version, document in ledger.ledger():
            writer.writerow([record.id, member_ref(record.user_id), document.id, document.kind, version.version,
                             record.language, version.text_hash, record.decision, record.method,
                             record.confirmed_by, record.created_at.isoformat(timespec="seconds")])  # fmt: skip
            yield out.getvalue()
            out.seek(0)
            out.truncate()
        yield out.getvalue()

    response = Response(stream_with_context(rows()), mimetype="text/csv")
    response.headers["Content-Disposition"] = 'attachment; filename="consent-ledger.csv"'
    return response
