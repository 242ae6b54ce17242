"""The one after-commit mechanism (core.transaction): work queued with on_commit runs after the outermost commit,
in order; a rolled-back savepoint drops only its own work; on_rollback undoes what the database cannot."""

from __future__ import annotations

import logging

import pytest
import sqlalchemy as sa

from community.auth.models import User
from community.auth.services import create_account
from community.core.transaction import on_commit, on_commit_batch, on_rollback
from community.extensions import db
from tests.factories import PASSWORD


@pytest.fixture
def ran() -> list[str]:
    return []


def _write(name: str) -> None:
    """A real row in the current (sub)transaction, so savepoints have something to keep or undo."""
    create_account(username=name, display_name=name, password=PASSWORD)
    db.session.flush()


def _names() -> set[str]:
    return set(db.session.scalars(sa.select(User.username)))


def test_work_runs_after_the_commit_in_the_order_it_was_queued(db_app, ran):
    with db_app.app_context():
        _write("ada")
        on_commit(lambda: ran.append("first"))
        on_commit(lambda: ran.append("second"))
        on_commit(lambda: ran.append("third"))
        assert ran == []  # nothing before the commit
        db.session.commit()
        assert ran == ["first", "second", "third"]


def test_a_rollback_drops_all_queued_work(db_app, ran):
    with db_app.app_context():
        _write("ada")
        on_commit(lambda: ran.append("lost"))
        db.session.rollback()
        db.session.commit()
        assert ran == []
        assert "ada" not in _names()


def test_a_rolled_back_savepoint_drops_only_its_own_work(db_app, ran):
    with db_app.app_context():
        _write("outer")
        on_commit(lambda: ran.append("before"))
        savepoint = db.session.begin_nested()
        _write("inner")
        on_commit(lambda: ran.append("in the savepoint"))
        savepoint.rollback()
        on_commit(lambda: ran.append("after"))
        db.session.commit()
        assert ran == ["before", "after"]
        assert _names() == {"outer"}


def test_a_released_savepoint_keeps_its_work_for_the_outer_commit(db_app, ran):
    with db_app.app_context():
        _write("outer")
        with db.session.begin_nested():
            _write("inner")
            on_commit(lambda: ran.append("in the savepoint"))
        assert ran == []  # released, not yet committed
        on_commit(lambda: ran.append("after"))
        db.session.commit()
        assert ran == ["in the savepoint", "after"]
        assert _names() == {"outer", "inner"}


def test_a_released_savepoint_loses_its_work_when_the_outer_transaction_rolls_back(db_app, ran):
    with db_app.app_context():
        _write("outer")
        with db.session.begin_nested():
            on_commit(lambda: ran.append("lost"))
        db.session.rollback()
        db.session.commit()
        assert ran == []


def test_two_levels_of_savepoints_keep_and_drop_what_each_level_decided(db_app, ran):
    with db_app.app_context():
        _write("outer")
        on_commit(lambda: ran.append("outer"))
        first = db.session.begin_nested()
        on_commit(lambda: ran.append("level one"))
        second = db.session.begin_nested()
        _write("deep")
        on_commit(lambda: ran.append("level two, rolled back"))
        second.rollback()
        third = db.session.begin_nested()
        on_commit(lambda: ran.append("level two, released"))
        third.commit()
        first.commit()
        other = db.session.begin_nested()
        nested = db.session.begin_nested()
        on_commit(lambda: ran.append("inside a rolled-back parent"))
        nested.commit()
        other.rollback()  # takes the released savepoint inside it with it
        db.session.commit()
        assert ran == ["outer", "level one", "level two, released"]
        assert _names() == {"outer"}


def test_on_rollback_runs_for_a_rolled_back_savepoint_and_not_on_commit(db_app, ran):
    with db_app.app_context():
        _write("outer")
        on_rollback(lambda: ran.append("undo outer"))
        savepoint = db.session.begin_nested()
        on_rollback(lambda: ran.append("undo savepoint"))
        on_commit(lambda: ran.append("commit savepoint"))
        savepoint.rollback()
        assert ran == ["undo savepoint"]
        with db.session.begin_nested():
            on_rollback(lambda: ran.append("undo released"))
        db.session.commit()
        assert ran == ["undo savepoint"]  # the commit keeps what was done: no undo


def test_on_rollback_runs_when_the_outer_transaction_rolls_back_or_closes_without_a_commit(db_app, ran):
    with db_app.app_context():
        _write("ada")
        on_rollback(lambda: ran.append("undo one"))
        with db.session.begin_nested():
            on_rollback(lambda: ran.append("undo in a released savepoint"))
        db.session.rollback()
        assert ran == ["undo one", "undo in a released savepoint"]
        _write("bob")
        on_rollback(lambda: ran.append("undo two"))
        db.session.close()
        assert ran == ["undo one", "undo in a released savepoint", "undo two"]


def test_an_exception_in_one_function_does_not_stop_the_others_and_logs_its_type_only(db_app, ran, caplog):
    def fails() -> None:
        raise ValueError("ada@example.org")

    with db_app.app_context():
        _write("ada")
        on_commit(lambda: ran.append("before"))
        on_commit(fails)
        on_commit(lambda: ran.append("after"))
        with caplog.at_level(logging.WARNING, logger="community.core.transaction"):
            db.session.commit()
        assert ran == ["before", "after"]
        assert "ValueError" in caplog.text
        assert "ada@example.org" not in caplog.text
        assert "ada" in _names()  # the commit stands

        on_rollback(fails)
        on_rollback(lambda: ran.append("undone"))
        db.session.rollback()
        assert ran == ["before", "after", "undone"]


def test_nothing_runs_twice_across_two_transactions_of_one_session(db_app, ran):
    with db_app.app_context():
        _write("ada")
        on_commit(lambda: ran.append("first"))
        db.session.commit()
        _write("bob")
        on_commit(lambda: ran.append("second"))
        db.session.commit()
        db.session.commit()
        db.session.rollback()
        assert ran == ["first", "second"]


def test_work_queued_outside_any_transaction_begins_one(db_app, ran):
    with db_app.app_context():
        db.session.commit()
        assert db.session().get_transaction() is None
        on_commit(lambda: ran.append("committed"))
        assert db.session().get_transaction() is not None
        db.session.commit()
        assert ran == ["committed"]
        on_commit(lambda: ran.append("rolled back"))
        db.session.rollback()
        db.session.commit()
        assert ran == ["committed"]


def test_work_queued_by_work_after_the_commit_runs_in_the_same_pass(db_app, ran):
    with db_app.app_context():
        _write("ada")
        on_commit(lambda: on_commit(lambda: ran.append("queued late")))
        db.session.commit()
        assert ran == ["queued late"]
        db.session.commit()
        assert ran == ["queued late"]


def test_a_batch_gets_every_surviving_item_at_once_in_order_at_the_place_of_the_first(db_app, ran):
    def flush(items: list[str]) -> None:
        ran.append("+".join(items))

    with db_app.app_context():
        _write("ada")
        on_commit(lambda: ran.append("before"))
        on_commit_batch(flush, "a")
        on_commit(lambda: ran.append("between"))
        savepoint = db.session.begin_nested()
        on_commit_batch(flush, "dropped")
        savepoint.rollback()
        on_commit_batch(flush, "b")
        db.session.commit()
        assert ran == ["before", "a+b", "between"]
