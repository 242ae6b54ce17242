"""HTTP adapter for searching the posts of one's groups (GET: bookmarkable, no state changes, no CSRF)."""

from __future__ import annotations

from flask import render_template, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import SearchField, SelectField

from community.core.errors import DomainError
from community.core.security import member_limit
from community.forum import bp, search


class SearchForm(FlaskForm):
    class Meta:
        csrf = False  # a GET form that changes nothing

    q = SearchField(_l("Search for"), render_kw={"maxlength": search.QUERY_MAX, "autocomplete": "off"})
    group = SelectField(_l("In"), validate_choice=False)


@bp.route("/search")
@member_limit("SEARCH_RATE", "search", exempt_when=lambda: not (request.args.get("q") or "").strip())
def search_page() -> str | tuple[str, int]:
    form = SearchForm(request.args)
    query = request.args.get("q")
    slug = request.args.get("group") or None
    page = request.args.get("page", 1, type=int) or 1
    try:
        view = search.search(current_user, query, group_slug=slug, page=page)
    except DomainError as error:
        if error.status_code == 404:
            raise
        form.q.errors = [error.message]
        view = search.SearchView(search.search_choices(current_user), None)
        status = 400
    else:
        status = 200
    form.group.choices = [("", _l("All my groups")), *((group.slug, group.name) for group in view.groups)]
    return render_template("forum/search.html", form=form, view=view, query_max=search.QUERY_MAX), status
