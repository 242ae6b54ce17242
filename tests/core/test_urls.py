"""Templates' ``url_for`` remembers the URLs it built (core/urls.py): it must give exactly what Flask gives."""

from __future__ import annotations

import pytest
from flask import Flask, render_template_string, url_for

CASES = [
    ("static", {"filename": "css/kring.css"}),
    ("groups.home", {}),
    ("forum.topic_page", {"slug": "parents", "topic_id": 7}),
    ("forum.topic_page", {"slug": "parents", "topic_id": 7, "after": 40}),
    ("forum.topic_page", {"slug": "ouders & zo", "topic_id": 8}),
    ("accessibility.choose_language", {"next": "/g/parents/t/7?after=40"}),
    ("forum.search_page", {"q": ["one", "two"]}),  # a list: built every time
    ("groups.home", {"_external": True}),
    ("forum.topic_page", {"slug": "parents", "topic_id": 7, "_anchor": "reply"}),
]


@pytest.mark.parametrize(("endpoint", "values"), CASES)
@pytest.mark.parametrize("script_root", ["", "/kring"])
def test_a_template_url_is_the_one_flask_builds(app: Flask, endpoint: str, values: dict, script_root: str) -> None:
    template = "{{ url_for(endpoint, **values) }}"
    with app.test_request_context("/", base_url=f"http://kring.example{script_root}"):
        expected = url_for(endpoint, **values)
        assert render_template_string(template, endpoint=endpoint, values=values) == expected.replace("&", "&amp;")
        assert render_template_string(template, endpoint=endpoint, values=values) == expected.replace("&", "&amp;")


def test_the_same_link_under_another_script_root_is_built_for_that_root(app: Flask) -> None:
    template = "{{ url_for('groups.home') }}"
    with app.test_request_context("/", base_url="http://kring.example/"):
        assert render_template_string(template) == "/"
    with app.test_request_context("/", base_url="http://kring.example/kring"):
        assert render_template_string(template) == "/kring/"


def test_a_relative_endpoint_follows_the_current_blueprint(app: Flask) -> None:
    with app.test_request_context("/g/parents/t/7"):
        app.preprocess_request()
        assert render_template_string("{{ url_for('.topic_page', slug='x', topic_id=1) }}") == "/g/x/t/1"
