"""Content for the export and erasure tests: everything a member can make, plus other people's words next to it."""

from __future__ import annotations

import io
from dataclasses import dataclass, field

from PIL import Image

from community.accessibility.models import MemberPreferences
from community.chat import private as private_chat
from community.chat import sending
from community.chat import services as chat
from community.extensions import db
from community.forum import post_files as forum_images
from community.forum import reactions
from community.forum import writing as forum
from community.groups import services as groups
from community.notifications import services as notifications
from tests.consent.helpers import World


def png() -> io.BytesIO:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 10, 10)).save(out, "PNG")
    out.seek(0)
    return out


@dataclass
class Content:
    ids: dict[str, int] = field(default_factory=dict)
    image_files: list[str] = field(default_factory=list)


def make_content(world: World) -> Content:
    """mia writes a topic (with an image), a reply in otto's topic, a chat message, a private message to the
    moderator, and reacts; otto replies in mia's topic and writes in the chat; mia is notified."""
    content = Content()
    with world.app.app_context():
        mia, otto, mona = world.user("mia"), world.user("otto"), world.user("mona")
        mia_access = groups.open_group(mia, world.slug)
        otto_access = groups.open_group(otto, world.slug)
        opened = forum.create_topic(mia, mia_access, title="Zebracorn nights", body="Our zebracorn sleeps badly.")
        [image] = forum_images.attach_images(mia, mia_access, opened.post, [png()], ["A red square"])
        content.image_files.append(image.file_name)
        otto_reply = forum.reply(otto, otto_access, opened.topic.id, body="Ottoword advice: try warm milk.")
        otto_topic = forum.create_topic(otto, otto_access, title="Ottotopic title", body="Ottoword opening.")
        mia_reply = forum.reply(mia, mia_access, otto_topic.topic.id, body="Miaword reply in another topic.")
        reactions.set_reaction(mia, mia_access, otto_reply.post.id, "hug", on=True)
        room = chat.open_group_room(mia, mia_access)
        sending.send(room, client_id="mia-1", body="Miachat hello room")
        sending.send(chat.open_group_room(otto, otto_access), client_id="otto-1", body="Ottochat hello room")
        started = private_chat.start_private_conversation(mia, mia_access, mona.id)
        private = chat.open_conversation(mia, started.conversation.id)
        sending.send(private, client_id="mia-p1", body="Miasecret question for the nurse")
        mona_private = chat.open_conversation(mona, started.conversation.id)
        sending.send(mona_private, client_id="mona-p1", body="Monasecret answer")
        notifications.notify([mia.id], kind="mention", actor_id=otto.id, group_id=mia_access.group.id,
                             target_type="post", target_id=otto_reply.post.id)  # fmt: skip
        db.session.add(MemberPreferences(user_id=mia.id, text_size=125, theme="dark"))
        db.session.commit()
        content.ids.update(topic=opened.topic.id, post=opened.post.id, reply=mia_reply.post.id,
                           otto_topic=otto_topic.topic.id, otto_reply=otto_reply.post.id,
                           private=started.conversation.id)  # fmt: skip
    return content
