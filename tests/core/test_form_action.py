"""The one way a form's action ends (core.forms): the block's work is committed once, or a refusal rolls all of it
back, its message lands on its field (or is flashed) and the form keeps what was typed."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from flask import Flask, Response, get_flashed_messages, redirect, render_template_string
from flask_wtf import FlaskForm
from sqlalchemy import event
from sqlalchemy.orm import Session
from wtforms import StringField

from community.auth.models import User
from community.auth.services import create_account
from community.core.errors import DomainError, Forbidden, NotFound
from community.core.forms import form_action, put_error_on_field
from community.core.security import public
from community.extensions import csrf, db
from tests.factories import PASSWORD


class NameForm(FlaskForm):
    class Meta:
        csrf = False

    name = StringField()
    note = StringField()


@pytest.fixture
def posted(app: Flask) -> Iterator[NameForm]:
    """A request that posted name=ada and note=hello, with its form."""
    with app.test_request_context("/", method="POST", data={"name": "ada", "note": "hello"}):
        form = NameForm()
        assert form.validate_on_submit()
        yield form


@pytest.fixture
def commits() -> Iterator[list[Session]]:
    seen: list[Session] = []

    def count(session: Session) -> None:
        if session.get_nested_transaction() is None:
            seen.append(session)

    event.listen(Session, "after_commit", count)
    yield seen
    event.remove(Session, "after_commit", count)


def _store(name: str) -> None:
    create_account(username=name, display_name=name, password=PASSWORD)
    db.session.flush()


def _stored() -> set[str]:
    db.session.rollback()  # read what was committed, not what the session holds
    return set(db.session.scalars(sa.select(User.username)))


def test_the_block_is_committed_once(posted, commits):
    with form_action(posted, "name") as action:
        _store("ada")
        _store("bea")
    assert action.ok and not action.refused
    assert len(commits) == 1
    assert {"ada", "bea"} <= _stored()


def test_a_refusal_rolls_back_everything_and_lands_on_its_field(posted, commits):
    with form_action(posted, "note") as action:
        _store("ada")  # stored before the refusal: must not stay half-way
        raise DomainError("That name is taken.", field="name")
    assert action.refused and not action.ok
    assert commits == []
    assert "ada" not in _stored()
    assert posted.name.errors == ["That name is taken."]
    assert posted.note.errors == []
    assert posted.name.data == "ada" and posted.note.data == "hello"  # the input is kept for the page again
    assert get_flashed_messages() == []


def test_a_refusal_naming_no_field_of_the_form_goes_to_the_default_field(posted):
    with form_action(posted, "note") as action:
        raise DomainError("Too long.", field="body")
    assert action.refused
    assert posted.note.errors == ["Too long."]


def test_a_refusal_no_field_takes_is_flashed(posted):
    with form_action(posted) as action:
        raise DomainError("The group is archived.")
    assert get_flashed_messages(with_categories=True) == [("error", "The group is archived.")]
    assert action.message is None


def test_a_refusal_no_field_takes_can_be_kept_for_the_top_of_the_form(posted):
    with form_action(posted, flash_unplaced=False) as action:
        raise DomainError("The group is archived.")
    assert action.message == "The group is archived."
    assert get_flashed_messages() == []


def test_a_button_without_a_form_flashes_the_refusal(posted):
    with form_action() as action:
        raise DomainError("Already withdrawn.")
    assert action.refused
    assert get_flashed_messages() == ["Already withdrawn."]


@pytest.mark.parametrize("error", [NotFound("gone"), Forbidden("not yours")])
def test_not_found_and_forbidden_go_on_to_the_error_page_after_the_rollback(posted, error):
    with pytest.raises(type(error)), form_action(posted, "name"):
        _store("ada")
        raise error
    assert "ada" not in _stored()
    assert posted.name.errors == []


def test_passes_chooses_which_refusals_go_on(posted):
    with form_action(posted, "name", passes=()) as action:
        raise Forbidden("Only moderators may do that.")
    assert posted.name.errors == ["Only moderators may do that."]
    assert action.error is not None and action.error.status_code == 403


def test_other_exceptions_roll_back_and_go_on(posted):
    with pytest.raises(ValueError), form_action(posted, "name"):
        _store("ada")
        raise ValueError("a bug")
    assert "ada" not in _stored()


def test_put_error_on_field_says_whether_a_field_took_it(posted):
    assert put_error_on_field(posted, DomainError("No.", field="note")) is True
    assert posted.note.errors == ["No."]
    assert put_error_on_field(posted, DomainError("No.", field="elsewhere")) is False
    assert put_error_on_field(posted, DomainError("Again."), "note") is True
    assert posted.note.errors == ["No.", "Again."]


class AskToConfirm(DomainError):
    pass


def test_unplaced_refusals_are_only_kept_for_the_view(posted):
    with form_action(posted, "name", unplaced=(AskToConfirm,)) as action:
        _store("ada")
        raise AskToConfirm("It looks like a phone number.", field="name")
    assert isinstance(action.error, AskToConfirm)
    assert posted.name.errors == [] and action.message is None
    assert get_flashed_messages() == []
    assert "ada" not in _stored()


def _signup_view() -> tuple[str, int] | Response:
    """A route written the way the features write theirs: refused (the name "taken") after a row was added."""
    form = NameForm()
    if form.validate_on_submit():
        with form_action(form, "note") as action:
            _store(form.name.data)
            if form.name.data == "taken":
                raise DomainError("That name is taken.", field="name")
        if action.ok:
            return redirect("/done", 303)
    return render_template_string(
        '<input name="name" value="{{ form.name.data }}">{% for e in form.name.errors %}<p>{{ e }}</p>{% endfor %}',
        form=form,
    ), 400


def test_through_a_route_the_refused_form_comes_back_with_the_input_and_nothing_is_stored(app: Flask):
    app.add_url_rule("/_form_action", "form_action_probe", csrf.exempt(public(_signup_view)), methods=["POST"])
    client = app.test_client()
    refused = client.post("/_form_action", data={"name": "taken", "note": "hello"})
    assert refused.status_code == 400
    assert 'value="taken"' in refused.text and "That name is taken." in refused.text
    accepted = client.post("/_form_action", data={"name": "carla", "note": ""})
    assert accepted.status_code == 303
    with app.app_context():
        assert "carla" in _stored() and "taken" not in _stored()
