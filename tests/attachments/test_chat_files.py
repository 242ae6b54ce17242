"""Images and PDF documents in chat: sent with the message box (a multipart POST, with or without JavaScript),
broadcast live with the message, served only to those who may read the conversation; a moderator reads a
private conversation's document only with grounds (a report), and that reading is in the access log."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import func, select, update

from community.attachments.models import Attachment
from community.auth.models import User
from community.chat import private as private_chat
from community.chat.models import Message
from community.extensions import db
from community.groups.access_log import AccessLogEntry
from community.groups.models import Group
from community.groups.services import open_group
from community.moderation import reports
from community.privacy.models import DataExport
from tests.attachments import pdfs
from tests.chat.helpers import World, build_world, events, stored_messages
from tests.factories import PASSWORD, add_to_group, make_user, post_form


@pytest.fixture
def world(app, tmp_path):
    app.config["UPLOAD_DIR"] = str(tmp_path / "uploads")
    world = build_world(app)
    yield world
    world.close()


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (30, 20), (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


def room_path(world: World) -> str:
    return f"/g/{world.slug}/chat"


def send_with_files(client, path: str, *, body: str = "", client_id: str = "f-1", **files) -> object:
    """The message box's POST: ``files`` are form fields (image_1, image_1_alt, document, document_title)."""
    data = {"body": body, "client_id": client_id, **files}
    return post_form(client, f"{path}/send", data, form_page=path, content_type="multipart/form-data")


def attachments(world: World) -> list[Attachment]:
    with world.app.app_context():
        rows = list(db.session.scalars(select(Attachment).order_by(Attachment.id)))
        db.session.expunge_all()
        return rows


def stored_files(world: World) -> list[Path]:
    root = Path(world.app.config["UPLOAD_DIR"])
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


# --- the group room ------------------------------------------------------------------------------------------


def test_an_image_with_its_description_is_sent_in_the_room_and_reaches_the_others_live(world):
    noor = world.socket("noor")
    noor.emit("chat:join", {"conversation_id": world.room_id}, callback=True)
    events(noor, "chat:message")
    response = send_with_files(
        world.http("sam"), room_path(world), body="The view today",
        image_1=(io.BytesIO(png()), "view.png"), image_1_alt="A red square of sky",
    )  # fmt: skip
    assert response.status_code == 303
    [image] = attachments(world)
    assert image.kind == "image" and image.alt_text == "A red square of sky" and image.message_id is not None

    [live] = events(noor, "chat:message")
    assert live["message"]["attachments"] == [
        {"id": image.id, "kind": "image", "url": f"/files/{image.id}", "alt_text": "A red square of sky",
         "width": 30, "height": 20},
    ]  # fmt: skip
    page = world.http("noor").get(room_path(world)).get_data(as_text=True)
    assert f'src="/files/{image.id}" alt="A red square of sky"' in page

    served = world.http("noor").get(f"/files/{image.id}")
    assert served.status_code == 200 and served.mimetype == "image/png"
    assert served.headers["Content-Disposition"] == "inline"
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    assert world.http("otto").get(f"/files/{image.id}").status_code == 404


def test_a_document_alone_is_a_message_and_downloads_for_the_room_only(world):
    response = send_with_files(
        world.http("sam"), room_path(world),
        document=(io.BytesIO(pdfs.leaflet(pages=3)), "leaflet.pdf"), document_title="Ward leaflet",
    )  # fmt: skip
    assert response.status_code == 303
    [message] = stored_messages(world.app)
    assert message.body_source == ""
    [document] = attachments(world)
    assert (document.kind, document.title, document.page_count) == ("document", "Ward leaflet", 3)
    page = world.http("noor").get(room_path(world)).get_data(as_text=True)
    assert f'href="/files/{document.id}" download' in page and "3 pages" in page
    download = world.http("noor").get(f"/files/{document.id}")
    assert download.status_code == 200
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert 'filename="Ward leaflet.pdf"' in download.headers["Content-Disposition"]
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert world.http("otto").get(f"/files/{document.id}").status_code == 404
    assert world.app.test_client().get(f"/files/{document.id}").status_code == 302  # to the sign-in page


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ({"image_1": (io.BytesIO(png()), "a.png")}, "Describe image 1 in a few words"),
        ({"image_1": (io.BytesIO(b"MZ not an image"), "a.png"), "image_1_alt": "x"}, "is not a JPEG, PNG or WebP"),
        ({"document": (io.BytesIO(pdfs.leaflet()), "a.pdf")}, "Give the document a title"),
        ({"document": (io.BytesIO(pdfs.with_open_action_javascript()), "a.pdf"), "document_title": "x"},
         "JavaScript"),
        ({"document": (io.BytesIO(pdfs.RENAMED_EXECUTABLE), "a.pdf"), "document_title": "x"}, "not a PDF"),
        ({"document_title": "A title without a file"}, "Choose the PDF document the title is for"),
    ],
)  # fmt: skip
def test_a_refused_file_sends_nothing_and_says_why(world, files, message):
    response = send_with_files(world.http("sam"), room_path(world), body="With a file", **files)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert stored_messages(world.app) == [] and attachments(world) == [] and stored_files(world) == []


@pytest.mark.parametrize("state", ["removed", "deleted", "hidden"])
def test_the_file_of_a_removed_message_is_served_to_nobody_and_not_shown(world, state):
    send_with_files(
        world.http("sam"), room_path(world), body="Leaflet",
        document=(io.BytesIO(pdfs.leaflet()), "a.pdf"), document_title="Leaflet",
    )  # fmt: skip
    [document] = attachments(world)
    with world.app.app_context():
        db.session.execute(update(Message).values(state=state))
        db.session.commit()
    for reader in ("sam", "noor", "youthworker"):
        assert world.http(reader).get(f"/files/{document.id}").status_code == 404
    assert f"/files/{document.id}" not in world.http("noor").get(room_path(world)).get_data(as_text=True)


def test_a_held_message_s_file_is_served_to_its_writer_and_the_moderators_only(world):
    send_with_files(
        world.http("sam"), room_path(world), body="Leaflet",
        document=(io.BytesIO(pdfs.leaflet()), "a.pdf"), document_title="Leaflet",
    )  # fmt: skip
    [document] = attachments(world)
    with world.app.app_context():
        db.session.execute(update(Message).values(state="held"))
        db.session.commit()
    assert world.http("sam").get(f"/files/{document.id}").status_code == 200
    assert world.http("youthworker").get(f"/files/{document.id}").status_code == 200
    assert world.http("noor").get(f"/files/{document.id}").status_code == 404


# --- a private conversation ------------------------------------------------------------------------------------


def private_with_document(world: World) -> tuple[int, Attachment]:
    """sam asks the youth worker privately and sends a care plan; mod2 moderates the group but is not in it."""
    with world.app.app_context():
        admin = db.session.get(User, world.ids["admin"])
        mod2 = make_user("mod2")
        add_to_group(admin, db.session.get(Group, world.group_id), mod2, role="moderator")
        world.ids["mod2"] = mod2.id
        sam = db.session.get(User, world.ids["sam"])
        started = private_chat.start_private_conversation(sam, open_group(sam, world.slug), world.ids["youthworker"])
        db.session.commit()
        conversation_id = started.conversation.id
    path = f"/conversations/{conversation_id}"
    response = send_with_files(
        world.http("sam"), path, body="My care plan",
        document=(io.BytesIO(pdfs.leaflet()), "plan.pdf"), document_title="Care plan",
    )  # fmt: skip
    assert response.status_code == 303, response.get_data(as_text=True)[:300]
    return conversation_id, attachments(world)[-1]


def test_a_moderator_without_a_report_cannot_download_a_private_conversation_s_document(world):
    conversation_id, document = private_with_document(world)
    assert world.http("youthworker").get(f"/files/{document.id}").status_code == 200  # in the conversation
    for outsider in ("mod2", "noor", "otto", "admin"):
        assert world.http(outsider).get(f"/files/{document.id}").status_code == 404

    path = f"/conversations/{conversation_id}"
    answer = post_form(
        world.http("youthworker"), f"{path}/send", {"body": "Thanks", "client_id": "w-1"}, form_page=path
    )
    assert answer.status_code == 303
    with world.app.app_context():  # sam reports the youth worker's answer: the conversation is under review
        message = db.session.scalar(select(Message).where(Message.author_id == world.ids["youthworker"]))
        sam = db.session.get(User, world.ids["sam"])
        reports.submit(sam, reports.reportable(sam, "message", message.id), "unkind")
        db.session.commit()
        before = db.session.scalar(select(func.count()).select_from(AccessLogEntry)) or 0
    assert world.http("mod2").get(f"/files/{document.id}").status_code == 200
    with world.app.app_context():
        readings = list(db.session.scalars(select(AccessLogEntry).order_by(AccessLogEntry.id)))[before:]
        assert readings and {entry.staff_id for entry in readings} == {world.ids["mod2"]}


# --- export and erasure -----------------------------------------------------------------------------------------


def test_the_export_holds_the_files_sent_in_chat(world):
    send_with_files(
        world.http("sam"), room_path(world), body="Leaflet",
        document=(io.BytesIO(pdfs.leaflet()), "a.pdf"), document_title="Leaflet",
    )  # fmt: skip
    [document] = attachments(world)
    client = world.http("sam")
    assert post_form(client, "/account/privacy/export", {}, form_page="/account/privacy").status_code == 303
    with world.app.app_context():
        export_id = db.session.scalar(select(func.max(DataExport.id)))
    archive = zipfile.ZipFile(io.BytesIO(client.get(f"/account/privacy/exports/{export_id}").data))
    assert archive.read(f"documents/{document.id}.pdf") == pdfs.leaflet()
    [message] = json.loads(archive.read("messages.json"))
    assert message["files"] == [
        {"file": f"documents/{document.id}.pdf", "kind": "document", "title": "Leaflet", "pages": 2}
    ]


@pytest.mark.parametrize("mode", ["anonymise", "remove"])
def test_erasure_deletes_the_files_of_room_messages_and_private_conversations(world, mode):
    send_with_files(
        world.http("sam"), room_path(world), body="Leaflet", client_id="room-1",
        document=(io.BytesIO(pdfs.leaflet()), "a.pdf"), document_title="Leaflet",
    )  # fmt: skip
    private_with_document(world)
    assert len(stored_files(world)) == 2
    data = {"mode": mode, "password": PASSWORD, "confirm": "y"}
    assert post_form(world.http("sam"), "/account/delete", data).status_code in (302, 303)
    assert attachments(world) == [] and stored_files(world) == []
