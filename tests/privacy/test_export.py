"""Download everything: the ZIP holds every kind of data the member made, and nothing of anyone else; only
the owner downloads it, for a limited time; large accounts are built by `flask privacy build-exports`."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from sqlalchemy import select, update

from community.core.time import utcnow
from community.extensions import db
from community.privacy.models import DataExport
from tests.consent.helpers import build_world
from tests.factories import post_form
from tests.privacy.content import make_content


@pytest.fixture
def world(db_app):
    world = build_world(db_app)
    world.content = make_content(world)
    return world


def ask_export(client):
    return post_form(client, "/account/privacy/export", {}, form_page="/account/privacy")


def latest_export(world) -> DataExport:
    with world.app.app_context():
        export = db.session.scalar(select(DataExport).order_by(DataExport.id.desc()))
        db.session.expunge(export)
        return export


def test_the_export_holds_everything_the_member_made_and_nothing_of_anyone_else(world):
    client = world.client("mia")
    assert ask_export(client).status_code == 303
    export = latest_export(world)
    assert export.state == "ready" and export.expires_at > utcnow()
    response = client.get(f"/account/privacy/exports/{export.id}")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    names = set(archive.namelist())
    for expected in ("profile.json", "posts.json", "messages.json", "reactions.json", "consent_records.json",
                     "preferences.json", "notifications.json", "sessions.json", "access_log.json"):  # fmt: skip
        assert expected in names
    data = {name: json.loads(archive.read(name)) for name in names if name.endswith(".json")}
    assert data["profile.json"]["email"] == "mia@example.org"
    texts = {post["text"] for post in data["posts.json"]}
    assert texts == {"Our zebracorn sleeps badly.", "Miaword reply in another topic."}
    titles = {post["topic_title"] for post in data["posts.json"]}
    assert titles == {"Zebracorn nights", None}  # otto's topic title is otto's words
    messages = {m["text"] for m in data["messages.json"]}
    assert messages == {"Miachat hello room", "Miasecret question for the nurse"}
    assert data["reactions.json"][0]["kind"] == "hug"
    assert data["preferences.json"]["text_size"] == 125
    assert "mention" in {n["kind"] for n in data["notifications.json"]}
    [image_name] = [name for name in names if name.startswith("images/")]
    assert archive.read(image_name)[:4] == b"\x89PNG"
    everything = b"".join(archive.read(name) for name in names).decode("utf-8", "replace")
    for other in ("Ottoword", "Ottotopic", "Ottochat", "Monasecret", "Otto Person", "Mona Person", "otto@", "mona@"):
        assert other not in everything


def test_only_the_owner_downloads_and_only_until_it_expires(world):
    client = world.client("mia")
    ask_export(client)
    export = latest_export(world)
    # Somebody else's export: not found (also for an admin).
    assert world.client("otto").get(f"/account/privacy/exports/{export.id}").status_code == 404
    assert world.client("admin1").get(f"/account/privacy/exports/{export.id}").status_code == 404
    assert world.app.test_client().get(f"/account/privacy/exports/{export.id}").status_code == 302
    with world.app.app_context():
        db.session.execute(update(DataExport).values(expires_at=utcnow().replace(year=2000)))
        db.session.commit()
    assert client.get(f"/account/privacy/exports/{export.id}").status_code == 404
    result = world.app.test_cli_runner().invoke(args=["privacy", "build-exports"])
    assert "expired and deleted: 1" in result.output
    assert latest_export(world).state == "expired"


def test_a_large_account_is_built_in_the_background_by_the_cli(world):
    world.app.config["EXPORT_INLINE_MAX_ITEMS"] = 1
    client = world.client("mia")
    ask_export(client)
    export = latest_export(world)
    assert export.state == "queued"
    assert "being prepared" in client.get("/account/privacy").get_data(as_text=True).lower()
    again = ask_export(client)
    assert again.status_code == 303
    with world.app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(DataExport)) == 1
    result = world.app.test_cli_runner().invoke(args=["privacy", "build-exports"])
    assert result.exit_code == 0 and "Exports built: 1" in result.output
    assert latest_export(world).state == "ready"
    assert client.get(f"/account/privacy/exports/{export.id}").status_code == 200
    # Idempotent: nothing more to build.
    assert "Exports built: 0" in world.app.test_cli_runner().invoke(args=["privacy", "build-exports"]).output
