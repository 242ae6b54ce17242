"""The helplines: the Dutch defaults, the writer's notice per category and severity, a replacement list from a
TOML file, and the /help page."""

from __future__ import annotations

import pytest
from markupsafe import Markup

from community.moderation.safeguarding import helplines
from tests.conftest import build_app
from tests.factories import make_user, sign_in


@pytest.fixture
def ctx(app):
    with app.test_request_context("/"):
        yield app


def test_the_dutch_defaults(ctx):
    lines = helplines.helplines()
    assert [line.name for line in lines] == ["112", "113 Zelfmoordpreventie", "De Kindertelefoon", "Veilig Thuis"]
    by_name = {line.name: line for line in lines}
    assert by_name["113 Zelfmoordpreventie"].phones == ("113", "0800-0113")
    assert by_name["113 Zelfmoordpreventie"].chat == "113.nl"
    assert by_name["De Kindertelefoon"].phones == ("0800-0432",)
    assert by_name["Veilig Thuis"].phones == ("0800-2000",)
    assert by_name["112"].is_acute and not by_name["Veilig Thuis"].is_acute


def test_the_notice_fits_the_category_and_puts_112_first_when_acute(ctx):
    suicide = helplines.notice_text(category="suicide")
    assert "113 Zelfmoordpreventie: 113 or 0800-0113, or chat at 113.nl" in suicide
    assert suicide.index("113 Zelfmoordpreventie") < suicide.index("call 112")
    abuse = helplines.notice_text(category="abuse")
    assert "Veilig Thuis" in abuse and "De Kindertelefoon" in abuse and "Zelfmoordpreventie" not in abuse
    acute = helplines.notice_text(category="suicide", severity="acute")
    assert acute.index("call 112") < acute.index("113 Zelfmoordpreventie")


def test_the_forum_notice_is_markup_with_a_link_and_escapes_configured_text(app):
    app.config["SAFEGUARDING_HELPLINES"] = [
        {"name": "<b>Line</b>", "phones": ["0800"], "when": "support", "topics": ["suicide"]},
    ]
    with app.test_request_context("/"):
        notice = helplines.helpline_notice(category="suicide")
        plain = helplines.notices_ack((notice,))["notices"][0]
    assert isinstance(notice, Markup)
    assert '<a href="/help">' in notice and "&lt;b&gt;Line&lt;/b&gt;" in notice and "<b>" not in notice
    assert "<a " not in plain and "<b>Line</b>" in plain, "the chat gets plain text (shown with textContent)"


def test_a_replacement_list_from_a_file_and_per_language_lines(tmp_path):
    path = tmp_path / "helplines.toml"
    path.write_text(
        '[[helpline]]\nname = "Emergency"\nphones = ["999"]\nwhen = "acute"\n\n'
        '[[helpline]]\nname = "Samaritans"\nphones = ["116 123"]\nlanguages = ["en"]\n\n'
        '[[helpline]]\nname = "Hulplijn"\nphones = ["0800"]\nlanguages = ["nl"]\n',
        encoding="utf-8",
    )
    app = build_app(SAFEGUARDING_HELPLINES_FILE=str(path))
    with app.test_request_context("/"):
        assert [line.name for line in helplines.helplines("en")] == ["Emergency", "Samaritans"]
        assert [line.name for line in helplines.helplines("nl")] == ["Emergency", "Hulplijn"]
        assert "call 999" in helplines.notice_text(language="en")


def test_a_list_from_the_environment_is_refused_clearly(app):
    app.config["SAFEGUARDING_HELPLINES"] = ["113"]
    with app.test_request_context("/"), pytest.raises(RuntimeError, match="SAFEGUARDING_HELPLINES_FILE"):
        helplines.helplines()


def test_the_help_page_lists_every_helpline_for_a_signed_in_member(app, client):
    with app.app_context():
        make_user("sam")
    sign_in(client, "sam")
    page = client.get("/help").get_data(as_text=True)
    for text in (
        "112",
        "113 Zelfmoordpreventie",
        "0800-0113",
        "113.nl",
        "0800-0432",
        "0800-2000",
        'href="tel:08000113"',
    ):
        assert text in page, text
    assert page.index("In danger right now: 112") < page.index("113 Zelfmoordpreventie")
