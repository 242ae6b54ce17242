"""Small helpers shared by every feature's forms, and the one way a form's action commits or is refused."""

from __future__ import annotations

import functools
from collections.abc import Iterable

from babel import Locale
from flask import current_app, flash
from wtforms import Form
from wtforms.fields.choices import SelectChoice

from community.core.errors import DomainError, Forbidden, NotFound
from community.extensions import db


def select_choices(pairs: Iterable[tuple[str, object]]) -> list[SelectChoice]:
    """(value, label) pairs as WTForms select choices (plain tuples are deprecated in WTForms 3.3)."""
    return [SelectChoice(value, label) for value, label in pairs]


def language_choices() -> list[SelectChoice]:
    """The configured languages, each named in itself ("Nederlands", "Türkçe", "العربية"), so a person finds
    their own whatever language the page is in."""
    return select_choices(_language_names(tuple(current_app.config["LANGUAGES"])))


@functools.lru_cache(maxsize=8)
def _language_names(codes: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    """Per process: Babel's locale data is read anew on every Locale.parse, and every page's footer asks."""
    pairs = []
    for code in codes:
        try:
            name = Locale.parse(code).get_display_name(code) or code
        except (ValueError, LookupError):  # an unknown code in the settings: show the code rather than fail
            name = code
        pairs.append((code, name[:1].upper() + name[1:]))
    return tuple(pairs)


def put_error_on_field(form: Form, error: DomainError, default_field: str | None = None) -> bool:
    """Put the refusal's message next to the field it names (else next to ``default_field``), so the page says
    what to fix where it is. False when the form has neither field: the caller shows the message elsewhere."""
    for name in (error.field, default_field):
        if name and name in form:
            field = form[name]
            field.errors = [*field.errors, error.message]  # a tuple until the form is validated
            return True
    return False


class FormAction:
    """The one transaction of a form's action (made by :func:`form_action`): the block calls the service, and
    leaving it commits once.

    A refusal (``DomainError``) raised in the block rolls back everything the block did, puts the message on
    its field (see :func:`put_error_on_field`; flashed when no field takes it, or kept in ``action.message``
    with ``flash_unplaced=False`` for the top of the form) and ends the block: ``action.refused`` is then
    true and the view renders the form again, which still holds the input (answer 400). Refusals of the
    types in ``passes`` (by default not-found and forbidden) go on, after the rollback, to the error page;
    those in ``unplaced`` are only kept in ``action.error``, for a view that shows them its own way (a
    warning to confirm rather than an error).
    ``form=None``: a button with no fields, the message is flashed. Anything else goes on unhandled.

    Route::

        if form.validate_on_submit():
            with form_action(form, "message") as action:
                sent = requests.send_request(actor, ...)
            if action.ok:
                flash(_("Your request has been sent."), "success")
                return redirect(url_for(...), 303)
        return render_template(..., form=form), 400
    """

    def __init__(
        self,
        form: Form | None = None,
        default_field: str | None = None,
        *,
        passes: tuple[type[DomainError], ...] = (NotFound, Forbidden),
        unplaced: tuple[type[DomainError], ...] = (),
        flash_unplaced: bool = True,
    ) -> None:
        self.form = form
        self.default_field = default_field
        self.passes = passes
        self.unplaced = unplaced
        self.flash_unplaced = flash_unplaced
        self.error: DomainError | None = None
        self.message: str | None = None  # a refusal no field took, when it is not flashed

    @property
    def refused(self) -> bool:
        return self.error is not None

    @property
    def ok(self) -> bool:
        return self.error is None

    def __enter__(self) -> FormAction:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, _tb: object) -> bool:
        if error is None:
            db.session.commit()
            return False
        db.session.rollback()
        if not isinstance(error, DomainError) or isinstance(error, self.passes):
            return False
        self.error = error
        if isinstance(error, self.unplaced):
            return True
        if self.form is None or not put_error_on_field(self.form, error, self.default_field):
            if self.flash_unplaced:
                flash(error.message, "error")
            else:
                self.message = error.message
        return True


def form_action(
    form: Form | None = None,
    default_field: str | None = None,
    *,
    passes: tuple[type[DomainError], ...] = (NotFound, Forbidden),
    unplaced: tuple[type[DomainError], ...] = (),
    flash_unplaced: bool = True,
) -> FormAction:
    """``with form_action(form, "body") as action:``, see :class:`FormAction`."""
    return FormAction(form, default_field, passes=passes, unplaced=unplaced, flash_unplaced=flash_unplaced)
