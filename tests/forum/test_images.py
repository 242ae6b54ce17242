"""Images in posts: what is accepted, what is stripped, who may see them, and bad input that stores nothing
(no rows, no files). Storage tests run on SQLite and PostgreSQL."""

from __future__ import annotations

import functools
import io
import re
import stat
import struct
import zlib
from pathlib import Path

import pytest
from PIL import Image, ImageCms, PngImagePlugin
from sqlalchemy import func, select, update

from community.attachments import images, storage
from community.attachments.models import Attachment
from community.auth.models import User
from community.core.errors import DomainError
from community.extensions import db
from community.forum import post_files, writing
from community.forum.models import Post, Topic
from community.groups import services as groups
from tests.factories import post_form
from tests.forum.writing_world import World, build_world

GPS_IFD, EXIF_MAKE, EXIF_ORIENTATION = 0x8825, 0x010F, 0x0112


@pytest.fixture
def world(db_app, tmp_path) -> World:
    db_app.config["UPLOAD_DIR"] = str(tmp_path / "uploads")
    return build_world(db_app)


# --- making test images ---------------------------------------------------------------------------------------


def photo_with_metadata(size: tuple[int, int] = (60, 40), orientation: int = 6) -> bytes:
    """A JPEG as a phone makes it: EXIF with the camera, a GPS position and a rotation; an ICC profile; a comment."""
    image = Image.new("RGB", size, (200, 30, 30))
    image.paste((30, 30, 200), (0, 0, size[0] // 2, size[1]))  # left half blue: shows where the rotation went
    exif = Image.Exif()
    exif[EXIF_MAKE] = "KringCam"
    exif[EXIF_ORIENTATION] = orientation
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (52.0, 22.0, 5.0), 3: "E", 4: (4.0, 53.0, 2.0)})
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif, icc_profile=_srgb_profile(), comment=b"home address in a comment")
    return out.getvalue()


def _srgb_profile() -> bytes:
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


def png_with_text(size: tuple[int, int] = (30, 20), mode: str = "RGBA") -> bytes:
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "Secret Name")
    info.add_itxt("XML:com.adobe.xmp", "<x:xmpmeta>GPS here</x:xmpmeta>")
    out = io.BytesIO()
    colour = (10, 200, 10, 128) if mode == "RGBA" else (10, 200, 10)
    Image.new(mode, size, colour).save(out, "PNG", pnginfo=info, icc_profile=_srgb_profile())
    return out.getvalue()


def webp_with_exif() -> bytes:
    exif = Image.Exif()
    exif[EXIF_MAKE] = "KringCam"
    out = io.BytesIO()
    Image.new("RGB", (32, 32), (1, 2, 3)).save(out, "WEBP", exif=exif, xmp=b"<x:xmpmeta>GPS here</x:xmpmeta>")
    return out.getvalue()


def animated(kind: str) -> bytes:
    frames = [Image.new("RGB", (16, 16), colour) for colour in ((255, 0, 0), (0, 255, 0))]
    out = io.BytesIO()
    frames[0].save(out, kind, save_all=True, append_images=frames[1:], duration=100, loop=0)
    return out.getvalue()


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


@functools.cache
def decompression_bomb(side: int = 20_000) -> bytes:
    """A ~400 KB PNG that inflates to a side x side palette image (400 megapixels, 400 MB)."""
    row = b"\0" * (side + 1)  # filter byte + one palette index per pixel
    rows_per_chunk = 100
    chunk = row * rows_per_chunk
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    # After a full flush the compressor forgets its history, so every chunk of zeros compresses to the same bytes.
    compressor.compress(chunk)
    compressor.flush(zlib.Z_FULL_FLUSH)
    repeated = compressor.compress(chunk) + compressor.flush(zlib.Z_FULL_FLUSH)
    adler = 1
    for _ in range(side // rows_per_chunk):
        adler = zlib.adler32(chunk, adler)
    stream = b"\x78\xda" + repeated * (side // rows_per_chunk) + compressor.flush() + struct.pack(">I", adler)
    header = struct.pack(">IIBBBBB", side, side, 8, 3, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"PLTE", b"\0\0\0")
        + _png_chunk(b"IDAT", stream)
        + _png_chunk(b"IEND", b"")
    )


def png_claiming(width: int, height: int) -> bytes:
    """Only a header: a small file that claims a size (between our limit and Pillow's own hard limit)."""
    header = struct.pack(">IIBBBBB", width, height, 8, 3, 0, 0, 0)
    idat = zlib.compress(b"\0" * (width + 1))
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"PLTE", b"\0\0\0")
        + _png_chunk(b"IDAT", idat)
        + _png_chunk(b"IEND", b"")
    )


SVG = b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(1)</script></svg>'


# --- helpers ----------------------------------------------------------------------------------------------------


def new_topic_with(client, world: World, files: dict[int, tuple[bytes, str]], alts: dict[int, str] | None = None):
    data: dict = {"title": "Pictures from the ward", "body": "See the pictures.", "content_warning": ""}
    for number, (content, name) in files.items():
        data[f"image_{number}"] = (io.BytesIO(content), name)
        data[f"image_{number}_alt"] = (alts or {}).get(number, f"Picture {number} of the ward")
    if alts:
        data.update({f"image_{number}_alt": text for number, text in alts.items()})
    return post_form(client, f"/g/{world.slug}/topics/new", data, content_type="multipart/form-data")


def stored_files(world: World) -> list[Path]:
    root = Path(world.app.config["UPLOAD_DIR"])
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


def rows(world: World) -> dict[str, int]:
    with world.app.app_context():
        return {
            model.__tablename__: db.session.scalar(select(func.count()).select_from(model))
            for model in (Topic, Post, Attachment)
        }


def image_rows(world: World) -> list[Attachment]:
    with world.app.app_context():
        return list(db.session.scalars(select(Attachment).order_by(Attachment.id)))


def image_url(world: World, image_id: int) -> str:
    return f"/g/{world.slug}/images/{image_id}"


# --- accepted, re-encoded, stripped ----------------------------------------------------------------------------


def test_a_photo_is_turned_upright_and_loses_its_camera_and_location_data(world):
    client = world.client("sam")
    response = new_topic_with(client, world, {1: (photo_with_metadata(), "IMG_0001.jpg")})
    assert response.status_code == 303, response.get_data(as_text=True)[:500]
    [image] = image_rows(world)
    assert (image.width, image.height) == (40, 60)  # orientation 6: turned a quarter, before EXIF was dropped
    assert image.content_type == "image/jpeg" and image.alt_text == "Picture 1 of the ward"

    served = client.get(image_url(world, image.id))
    assert served.status_code == 200 and served.mimetype == "image/jpeg"
    data = served.get_data()
    assert b"Exif" not in data and b"KringCam" not in data and b"home address" not in data
    assert b"ICC_PROFILE" not in data
    result = Image.open(io.BytesIO(data))
    assert result.size == (40, 60)
    assert not result.getexif() and not {"exif", "icc_profile", "xmp", "comment"} & set(result.info)
    top_pixel = result.getpixel((20, 2))
    assert top_pixel[2] > 150 and top_pixel[0] < 100  # the blue half is on top now: the rotation was applied


def test_a_png_keeps_its_transparency_and_loses_its_text_and_xmp(world):
    client = world.client("sam")
    assert new_topic_with(client, world, {1: (png_with_text(), "drawing.png")}).status_code == 303
    [image] = image_rows(world)
    data = client.get(image_url(world, image.id)).get_data()
    assert b"Secret Name" not in data and b"xmpmeta" not in data and b"tEXt" not in data and b"iTXt" not in data
    assert b"iCCP" not in data
    result = Image.open(io.BytesIO(data))
    assert result.format == "PNG" and result.mode == "RGBA" and image.content_type == "image/png"


def test_a_webp_stays_webp_without_exif_or_xmp(world):
    client = world.client("sam")
    assert new_topic_with(client, world, {1: (webp_with_exif(), "x.webp")}).status_code == 303
    [image] = image_rows(world)
    data = client.get(image_url(world, image.id)).get_data()
    assert image.content_type == "image/webp" and Image.open(io.BytesIO(data)).format == "WEBP"
    assert b"KringCam" not in data and b"xmpmeta" not in data and b"EXIF" not in data and b"XMP " not in data


def test_the_type_comes_from_the_content_not_the_file_name(world):
    assert new_topic_with(world.client("sam"), world, {1: (png_with_text(), "holiday.jpg")}).status_code == 303
    assert image_rows(world)[0].content_type == "image/png"


def test_a_large_image_is_scaled_to_2048_pixels_on_its_long_side(world):
    out = io.BytesIO()
    Image.new("RGB", (3000, 1500), (9, 9, 9)).save(out, "PNG")
    assert new_topic_with(world.client("sam"), world, {1: (out.getvalue(), "big.png")}).status_code == 303
    image = image_rows(world)[0]
    assert (image.width, image.height) == (2048, 1024)


def test_files_are_stored_outside_static_under_random_names_readable_only_by_kring(world):
    new_topic_with(
        world.client("sam"), world, {1: (photo_with_metadata(), "my-name.jpg"), 3: (png_with_text(), "me.png")}
    )
    files = stored_files(world)
    assert len(files) == 2 and len(image_rows(world)) == 2
    for path in files:
        assert "static" not in path.parts and "my-name" not in path.name and "me" != path.stem
        assert re.fullmatch(r"[A-Za-z0-9_-]{32}\.(jpg|png)", path.name)
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert {image.file_name for image in image_rows(world)} == {
        str(path.relative_to(world.app.config["UPLOAD_DIR"])) for path in files
    }


def test_the_topic_page_shows_the_images_with_their_descriptions(world):
    client = world.client("sam")
    new_topic_with(client, world, {1: (photo_with_metadata(), "a.jpg")}, alts={1: 'A bed by the window <b>"sunny"</b>'})
    [image] = image_rows(world)
    with world.app.app_context():
        topic_id = db.session.scalar(select(Topic.id))
    html = client.get(f"/g/{world.slug}/t/{topic_id}").get_data(as_text=True)
    assert f'src="/g/{world.slug}/images/{image.id}"' in html
    assert 'alt="A bed by the window &lt;b&gt;&#34;sunny&#34;&lt;/b&gt;"' in html
    assert 'width="40" height="60"' in html


def test_a_reply_can_carry_images(world):
    topic_id = world.topic("sam")
    client = world.client("noor")
    response = post_form(
        client,
        f"/g/{world.slug}/t/{topic_id}/reply",
        {
            "body": "This is how mine looks.",
            "content_warning": "",
            "image_2": (io.BytesIO(png_with_text()), "mine.png"),
            "image_2_alt": "A green square",
        },
        form_page=f"/g/{world.slug}/t/{topic_id}",
        content_type="multipart/form-data",
    )
    assert response.status_code == 303
    [image] = image_rows(world)
    with world.app.app_context():
        assert db.session.get(Post, image.post_id).author_id == world.ids["noor"]
    assert world.client("sam").get(image_url(world, image.id)).status_code == 200


def test_the_forms_ask_for_a_description_of_every_image(world):
    html = world.client("sam").get(f"/g/{world.slug}/topics/new").get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in html
    for number in range(1, 5):
        assert f'<label class="field__label" for="image_{number}">Image {number}</label>' in html
        assert f'for="image_{number}_alt">Description of image {number}</label>' in html
    assert 'accept="image/jpeg,image/png,image/webp"' in html


# --- bad input: a clear message, nothing stored -----------------------------------------------------------------

BAD_UPLOADS = {
    "a text file renamed .jpg": (
        {1: (b"Dear diary, today was hard.\n" * 20, "photo.jpg")},
        None,
        "is not a JPEG, PNG or WebP",
    ),
    "an SVG": ({1: (SVG, "drawing.svg")}, None, "is not a JPEG, PNG or WebP"),
    "an animated GIF": ({1: (animated("GIF"), "funny.gif")}, None, "is not a JPEG, PNG or WebP"),
    "an animated PNG": ({2: (animated("PNG"), "moving.png")}, None, "Image 2 is animated"),
    "an animated WebP": ({1: (animated("WEBP"), "moving.webp")}, None, "Image 1 is animated"),
    "a truncated JPEG": ({1: (photo_with_metadata((400, 300))[:900], "cut.jpg")}, None, "is not a JPEG, PNG or WebP"),
    "larger than 8 MB": ({1: (b"\xff\xd8\xff" + b"\0" * (8 * 1024 * 1024), "huge.jpg")}, None, "larger than 8 MB"),
    "a decompression bomb": ({1: (decompression_bomb(), "bomb.png")}, None, "too many pixels"),
    "just over 40 megapixels": ({1: (png_claiming(8000, 5001), "big.png")}, None, "too many pixels"),
    "no description": ({1: (png_with_text(), "x.png")}, {1: "   "}, "Describe image 1 in a few words"),
    "a description over 300 characters": ({1: (png_with_text(), "x.png")}, {1: "a" * 301}, "at most 300 characters"),
    "a good image with a bad one": (
        {1: (png_with_text(), "ok.png"), 2: (b"not an image", "bad.png")},
        None,
        "Image 2 is not a JPEG, PNG or WebP",
    ),
}


def test_each_bad_upload_is_refused_with_a_clear_message_and_stores_nothing(world):
    client = world.client("sam")
    before = rows(world)
    for case, (files, alts, message) in BAD_UPLOADS.items():
        response = new_topic_with(client, world, files, alts)
        html = response.get_data(as_text=True)
        assert response.status_code == 400, (case, html[:300])
        assert message in html, case
        assert 'aria-invalid="true"' in html and '<details class="image-fields" open>' in html, case
        assert "Pictures from the ward" in html, case  # the title the writer typed is kept
        assert rows(world) == before and stored_files(world) == [], case


def test_more_than_four_images_are_refused_before_anything_is_read(app):
    uploads = [io.BytesIO(png_with_text()) for _ in range(5)]
    with app.test_request_context(), pytest.raises(DomainError, match="at most 4 images"):
        images.prepare_images(uploads, ["described"] * 5)


def test_a_post_cannot_collect_more_than_four_images_over_several_calls(world):
    topic_id = world.topic("sam")
    with world.app.app_context():
        sam = db.session.get(User, world.ids["sam"])
        access = groups.open_group(sam, world.slug)
        post = db.session.scalar(select(Post).where(Post.topic_id == topic_id))
        post_files.attach_images(sam, access, post, [io.BytesIO(png_with_text()) for _ in range(3)], ["a", "b", "c"])
        db.session.commit()
        with pytest.raises(DomainError, match="at most 4 images"):
            post_files.attach_images(
                sam, access, post, [io.BytesIO(png_with_text()), io.BytesIO(png_with_text())], ["d", "e"]
            )
        db.session.rollback()
    assert len(image_rows(world)) == 3 and len(stored_files(world)) == 3


def test_files_of_a_transaction_that_rolls_back_are_removed(world):
    with world.app.app_context():
        sam = db.session.get(User, world.ids["sam"])
        access = groups.open_group(sam, world.slug)
        result = writing.create_topic(sam, access, title="Rolled back", body="Never stored.")
        post_files.attach_images(sam, access, result.post, [io.BytesIO(photo_with_metadata())], ["a photo"])
        assert len(stored_files(world)) == 1  # written once every check passed ...
        db.session.rollback()
    assert stored_files(world) == [] and image_rows(world) == []  # ... and gone with the transaction


def test_files_of_a_session_closed_without_commit_are_removed(world):
    with world.app.app_context():
        sam = db.session.get(User, world.ids["sam"])
        access = groups.open_group(sam, world.slug)
        result = writing.create_topic(sam, access, title="Abandoned", body="Never committed.")
        post_files.attach_images(sam, access, result.post, [io.BytesIO(png_with_text())], ["a drawing"])
        db.session.remove()
    assert stored_files(world) == []


def test_only_the_writer_attaches_images_to_a_post(world):
    topic_id = world.topic("sam")
    with world.app.app_context():
        noor = db.session.get(User, world.ids["noor"])
        post = db.session.scalar(select(Post).where(Post.topic_id == topic_id))
        with pytest.raises(DomainError):
            post_files.attach_images(
                noor, groups.open_group(noor, world.slug), post, [io.BytesIO(png_with_text())], ["x"]
            )
        db.session.rollback()
    assert stored_files(world) == []


# --- who sees an image ------------------------------------------------------------------------------------------


def published_image(world: World) -> int:
    new_topic_with(world.client("sam"), world, {1: (png_with_text(), "a.png")})
    return image_rows(world)[0].id


def test_members_of_the_group_see_an_image_with_private_headers(world):
    image_id = published_image(world)
    for username in ("sam", "noor", "ravi"):
        response = world.client(username).get(image_url(world, image_id))
        assert response.status_code == 200, username
        assert "no-store" in response.headers["Cache-Control"]
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert "ETag" not in response.headers


def test_nobody_outside_the_group_sees_an_image(world):
    image_id = published_image(world)
    assert world.client("otto").get(image_url(world, image_id)).status_code == 404
    assert world.client("otto").get(f"/g/{world.other_slug}/images/{image_id}").status_code == 404
    assert world.client("boss").get(image_url(world, image_id)).status_code == 404  # an admin is not a member
    anonymous = world.app.test_client().get(image_url(world, image_id))
    assert anonymous.status_code == 302 and anonymous.headers["Location"].startswith("/login")


def test_a_missing_or_nonsense_image_id_is_not_found(world):
    client = world.client("sam")
    for image_id in (0, 999999, 2**40):
        assert client.get(image_url(world, image_id)).status_code == 404


def test_a_held_post_s_images_are_seen_by_its_writer_and_the_moderators_only(world):
    world.set_group(premoderation="all")
    new_topic_with(world.client("sam"), world, {1: (png_with_text(), "a.png")})
    [image] = image_rows(world)
    with world.app.app_context():
        assert db.session.get(Post, image.post_id).state == "held"
    assert world.client("sam").get(image_url(world, image.id)).status_code == 200
    assert world.client("ravi").get(image_url(world, image.id)).status_code == 200
    assert world.client("noor").get(image_url(world, image.id)).status_code == 404


@pytest.mark.parametrize("state", ["refused", "hidden", "removed"])
def test_images_of_refused_hidden_or_removed_posts_are_seen_by_nobody(world, state):
    image_id = published_image(world)
    with world.app.app_context():
        post_id = db.session.get(Attachment, image_id).post_id
        db.session.execute(update(Post).where(Post.id == post_id).values(state=state))
        db.session.commit()
    for username in ("sam", "noor", "ravi"):
        assert world.client(username).get(image_url(world, image_id)).status_code == 404, username


def test_sweeping_removes_files_whose_post_was_deleted_and_keeps_the_rest(world):
    client = world.client("sam")
    new_topic_with(client, world, {1: (png_with_text(), "a.png")})
    topic_id = world.topic("noor", title="Another", body="No pictures.")
    post_form(
        client,
        f"/g/{world.slug}/t/{topic_id}/reply",
        {"body": "A picture.", "image_1": (io.BytesIO(png_with_text()), "b.png"), "image_1_alt": "Green"},
        form_page=f"/g/{world.slug}/t/{topic_id}",
        content_type="multipart/form-data",
    )
    kept, deleted = image_rows(world)
    with world.app.app_context():
        db.session.delete(db.session.get(Topic, topic_id))  # the database cascades to the post and its image row
        db.session.commit()
        assert [image.id for image in image_rows(world)] == [kept.id]
        assert storage.sweep_orphan_files() == 0  # younger than the grace period: perhaps still being written
    result = world.app.test_cli_runner().invoke(args=["images", "sweep", "--grace-seconds", "-1"])
    assert result.exit_code == 0 and "Removed 1 file(s)" in result.output, result.output
    root = Path(world.app.config["UPLOAD_DIR"])
    assert [str(path.relative_to(root)) for path in stored_files(world)] == [kept.file_name]
    assert deleted.file_name != kept.file_name
