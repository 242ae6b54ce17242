"""PDF documents in forum posts: a leaflet posted with a new topic downloads for the group's members as an
attachment (nosniff, never cached) and for nobody else; every unsafe or unfit file is refused with a sentence
that says why, and nothing is stored (no row, no file); export and erasure take the file along."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from community.attachments.models import Attachment
from community.extensions import db
from community.forum.models import Post, Topic
from community.privacy.models import DataExport
from tests.attachments import pdfs
from tests.factories import PASSWORD, post_form
from tests.forum.writing_world import World, build_world


@pytest.fixture
def world(db_app, tmp_path) -> World:
    db_app.config["UPLOAD_DIR"] = str(tmp_path / "uploads")
    return build_world(db_app)


def new_topic_with_document(client, world: World, content: bytes, title: str | None = "Parking map", **extra):
    data = {"title": "Visiting the ward", "body": "Where to park, see the map.", "content_warning": ""}
    data["document"] = (io.BytesIO(content), extra.pop("file_name", "parking.pdf"))
    if title is not None:
        data["document_title"] = title
    return post_form(client, f"/g/{world.slug}/topics/new", data | extra, content_type="multipart/form-data")


def documents(world: World) -> list[Attachment]:
    with world.app.app_context():
        rows = list(db.session.scalars(select(Attachment).where(Attachment.kind == "document")))
        db.session.expunge_all()
        return rows


def stored_files(world: World) -> list[Path]:
    root = Path(world.app.config["UPLOAD_DIR"])
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


def posted_leaflet(world: World, content: bytes | None = None) -> Attachment:
    response = new_topic_with_document(world.client("sam"), world, content or pdfs.leaflet())
    assert response.status_code == 303, response.get_data(as_text=True)[:300]
    [document] = documents(world)
    return document


# --- the bar: members download it, nobody else ---------------------------------------------------------------


def test_a_leaflet_posted_with_a_new_topic_downloads_for_the_group_s_members_as_an_attachment(world):
    content = pdfs.leaflet(pages=2)
    document = posted_leaflet(world, content)
    assert (document.title, document.page_count, document.byte_size) == ("Parking map", 2, len(content))
    assert document.content_type == "application/pdf" and document.file_name.endswith(".pdf")
    assert "parking" not in document.file_name  # a random name, never the member's

    with world.app.app_context():
        topic_id = db.session.scalar(select(Topic.id))
    page = world.client("noor").get(f"/g/{world.slug}/t/{topic_id}").get_data(as_text=True)
    assert f'href="/files/{document.id}"' in page
    assert "Parking map" in page and "PDF" in page and "2 pages" in page

    for reader in ("noor", "sam", "ravi"):
        response = world.client(reader).get(f"/files/{document.id}")
        assert response.status_code == 200
        assert response.data == content
        assert response.mimetype == "application/pdf"
        assert response.headers["Content-Disposition"].startswith("attachment;")
        assert 'filename="Parking map.pdf"' in response.headers["Content-Disposition"]
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert "no-store" in response.headers["Cache-Control"]


def test_the_leaflet_is_refused_to_other_groups_members_to_admins_outside_and_to_anonymous_visitors(world):
    document = posted_leaflet(world)
    for outsider in ("otto", "boss"):
        response = world.client(outsider).get(f"/files/{document.id}")
        assert response.status_code == 404 and response.data != pdfs.leaflet()
    anonymous = world.app.test_client().get(f"/files/{document.id}")
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    assert world.client("noor").get("/files/999999").status_code == 404
    assert world.client("noor").get("/files/99999999999").status_code == 404


def test_a_leaflet_that_opens_without_a_password_is_checked_and_taken(world):
    document = posted_leaflet(world, pdfs.restricted())
    assert document.page_count == 1


def test_a_title_with_slashes_and_quotes_becomes_a_safe_download_name(world):
    response = new_topic_with_document(world.client("sam"), world, pdfs.leaflet(), title='Plan "ward 3" / ../x')
    assert response.status_code == 303
    [document] = documents(world)
    disposition = world.client("noor").get(f"/files/{document.id}").headers["Content-Disposition"]
    assert "/" not in disposition and '\\"' not in disposition
    assert 'filename="Plan ward 3 .. x.pdf"' in disposition


def test_a_reply_can_carry_a_document(world):
    topic_id = world.topic("noor")
    data = {"body": "Here is the leaflet.", "content_warning": "", "document_title": "Visiting hours"}
    data["document"] = (io.BytesIO(pdfs.leaflet(pages=1)), "hours.pdf")
    response = post_form(
        world.client("sam"), f"/g/{world.slug}/t/{topic_id}/reply", data,
        form_page=f"/g/{world.slug}/t/{topic_id}", content_type="multipart/form-data",
    )  # fmt: skip
    assert response.status_code == 303
    [document] = documents(world)
    assert document.title == "Visiting hours" and document.page_count == 1
    assert world.client("noor").get(f"/files/{document.id}").status_code == 200


def test_the_forms_offer_a_document_with_a_title(world):
    page = world.client("sam").get(f"/g/{world.slug}/topics/new").get_data(as_text=True)
    assert 'name="document"' in page and 'accept="application/pdf"' in page
    assert 'name="document_title"' in page and "Title of the document" in page


# --- bad input: a clear error, nothing stored ------------------------------------------------------------------

BAD_DOCUMENTS = {
    "javascript run on opening": (pdfs.with_open_action_javascript, "JavaScript"),
    "javascript run by a page (/AA)": (pdfs.with_page_additional_actions, "JavaScript"),
    "document-level javascript (/Names)": (pdfs.with_names_javascript, "JavaScript"),
    "a renamed executable": (lambda: pdfs.RENAMED_EXECUTABLE, "not a PDF we can read"),
    "500 pages": (pdfs.many_pages, "The document has 500 pages; at most 100 can be added"),
    "a form": (pdfs.with_form, "fillable form"),
    "an embedded file": (pdfs.with_embedded_file, "embedded or attached files"),
    "a launch action": (pdfs.with_launch_action, "open programs or other files"),
    "a link to a local file": (pdfs.with_file_link, "open programs or other files"),
    "a password": (pdfs.encrypted, "protected with a password"),
    "a broken pdf": (lambda: pdfs.leaflet()[:200], "not a PDF we can read"),
}


@pytest.mark.parametrize("case", list(BAD_DOCUMENTS))
def test_each_unsafe_or_unfit_document_is_refused_with_a_clear_message_and_stores_nothing(world, case):
    make, message = BAD_DOCUMENTS[case]
    before = world.counts()
    response = new_topic_with_document(world.client("sam"), world, make())
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert world.counts() == before  # no topic, no post
    assert documents(world) == [] and stored_files(world) == []


def test_a_document_larger_than_the_setting_is_refused_before_it_is_read(world):
    content = pdfs.leaflet()
    world.app.config["DOCUMENT_MAX_BYTES"] = len(content) - 1
    response = new_topic_with_document(world.client("sam"), world, content)
    assert response.status_code == 400
    assert "The document is larger than" in response.get_data(as_text=True)
    assert documents(world) == [] and stored_files(world) == []


@pytest.mark.parametrize(
    ("title", "with_file", "message"),
    [
        ("", True, "Give the document a title"),
        ("   ", True, "Give the document a title"),
        ("x" * 201, True, "The title can be at most 200 characters"),
        ("A title for nothing", False, "Choose the PDF document the title is for"),
    ],
)
def test_a_document_needs_a_title_and_a_title_needs_a_document(world, title, with_file, message):
    data = {"title": "Visiting the ward", "body": "Where to park.", "content_warning": "", "document_title": title}
    if with_file:
        data["document"] = (io.BytesIO(pdfs.leaflet()), "map.pdf")
    response = post_form(world.client("sam"), f"/g/{world.slug}/topics/new", data, content_type="multipart/form-data")
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert documents(world) == [] and stored_files(world) == []


# --- moderation: a held or removed post's document ---------------------------------------------------------------


def _set_post_state(world: World, state: str) -> None:
    with world.app.app_context():
        db.session.execute(update(Post).values(state=state))
        db.session.commit()


@pytest.mark.parametrize("state", ["removed", "hidden", "refused"])
def test_the_document_of_a_removed_or_hidden_post_is_served_to_nobody(world, state):
    document = posted_leaflet(world)
    _set_post_state(world, state)
    for reader in ("sam", "noor", "ravi"):
        assert world.client(reader).get(f"/files/{document.id}").status_code == 404


def test_a_held_post_s_document_is_served_to_its_writer_and_the_moderators_only(world):
    document = posted_leaflet(world)
    _set_post_state(world, "held")
    assert world.client("sam").get(f"/files/{document.id}").status_code == 200
    assert world.client("ravi").get(f"/files/{document.id}").status_code == 200
    assert world.client("noor").get(f"/files/{document.id}").status_code == 404


# --- export and erasure ------------------------------------------------------------------------------------------


def test_the_export_holds_the_document_itself(world):
    content = pdfs.leaflet()
    document = posted_leaflet(world, content)
    client = world.client("sam")
    assert post_form(client, "/account/privacy/export", {}, form_page="/account/privacy").status_code == 303
    with world.app.app_context():
        export_id = db.session.scalar(select(func.max(DataExport.id)))
    archive = zipfile.ZipFile(io.BytesIO(client.get(f"/account/privacy/exports/{export_id}").data))
    name = f"documents/{document.id}.pdf"
    assert archive.read(name) == content
    [post] = json.loads(archive.read("posts.json"))
    assert post["files"] == [{"file": name, "kind": "document", "title": "Parking map", "pages": 2}]


@pytest.mark.parametrize("mode", ["anonymise", "remove"])
def test_erasing_the_account_deletes_the_document_s_row_and_file(world, mode):
    document = posted_leaflet(world)
    assert len(stored_files(world)) == 1
    data = {"mode": mode, "password": PASSWORD, "confirm": "y"}
    assert post_form(world.client("sam"), "/account/delete", data).status_code in (302, 303)
    assert documents(world) == [] and stored_files(world) == []
    assert world.client("noor").get(f"/files/{document.id}").status_code == 404
