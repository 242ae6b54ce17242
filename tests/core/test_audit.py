"""The audit log is append-only and hash-chained: a changed or missing entry is detected."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from community.core import audit
from community.extensions import db


def _write_three() -> None:
    for action in ("group.created", "membership.added", "membership.added"):
        audit.record(action, actor_id=None, target_type="group", target_id=1, details={"role": "member"})
    db.session.commit()


def test_an_untouched_chain_verifies(db_app):
    with db_app.app_context():
        _write_three()
    result = db_app.test_cli_runner().invoke(args=["audit", "verify"])
    assert result.exit_code == 0
    assert "3 entries checked" in result.output


def test_a_changed_entry_is_detected(db_app):
    with db_app.app_context():
        _write_three()
        db.session.execute(text("UPDATE audit_entries SET reason = 'nothing to see' WHERE id = 2"))
        db.session.commit()
        report = audit.verify_chain()
        assert (report.ok, report.first_bad_id) == (False, 2)
    result = db_app.test_cli_runner().invoke(args=["audit", "verify"])
    assert result.exit_code == 1


def test_a_removed_entry_is_detected(db_app):
    with db_app.app_context():
        _write_three()
        db.session.execute(text("DELETE FROM audit_entries WHERE id = 2"))
        db.session.commit()
        report = audit.verify_chain()
        assert (report.ok, report.first_bad_id) == (False, 3)


def test_the_app_refuses_to_update_or_delete_an_entry(app):
    with app.app_context():
        _write_three()
        entry = db.session.get(audit.AuditEntry, 1)
        entry.reason = "changed"
        with pytest.raises(RuntimeError, match="append-only"):
            db.session.commit()
        db.session.rollback()
        db.session.delete(db.session.get(audit.AuditEntry, 1))
        with pytest.raises(RuntimeError, match="append-only"):
            db.session.commit()
