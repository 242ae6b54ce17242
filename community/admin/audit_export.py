"""The audit log as CSV, streamed in keyset batches so the export never holds the whole log in memory."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator

from flask import Response, stream_with_context

from community.admin import queries

BATCH = 500
HEADER = ["id", "time_utc", "actor", "action", "target_type", "target_id", "target", "group", "reason", "details"]


def _cell(value: object) -> str:
    """Plain text, and never a formula: a spreadsheet must not run what a reason field starts with."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _lines(action: str, group_id: int | None, search: dict) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADER)
    before: int | None = None
    while True:
        rows, before = queries.audit_rows(before_id=before, action=action, group_id=group_id, limit=BATCH, **search)
        for row in rows:
            entry = row.entry
            writer.writerow(
                _cell(value)
                for value in (
                    entry.id,
                    entry.created_at.isoformat(timespec="seconds"),
                    row.actor_name,
                    entry.action,
                    entry.target_type,
                    entry.target_id,
                    row.target_name,
                    row.group_name,
                    entry.reason,
                    json.dumps(entry.details, sort_keys=True),
                )
            )
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        if before is None:
            return


def audit_csv_response(*, action: str, group_id: int | None, **search: object) -> Response:
    """``search``: the optional filters of ``queries.audit_rows`` (actor, target_type, target_id, since, until)."""
    response = Response(stream_with_context(_lines(action, group_id, search)), mimetype="text/csv")
    response.headers["Content-Disposition"] = 'attachment; filename="kring-audit.csv"'
    return response
