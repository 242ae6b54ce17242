"""Wiring for forum, called by ``create_app`` only: importing the route modules puts their views on the
blueprint; ``init_app`` registers it (and this feature's socket events, CLI and receivers)."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l
from flask_socketio import SocketIO

from community.attachments import services as attachments
from community.core import layout
from community.forum import (  # noqa: F401  (their views register on bp)
    bp,
    cli,
    coach_routes,
    image_routes,
    member_data,
    moderated,
    notices,
    places,
    post_files,
    preference_routes,
    reaction_routes,
    retention,
    routes,
    screening,
    search_routes,
    write_routes,
)
from community.groups import page_sections
from community.moderation import signals as moderation_signals
from community.moderation import targets
from community.notifications.kinds import register_target_topics


def init_app(app: Flask, socketio: SocketIO) -> None:
    member_data.connect()  # its part of a member's export and erasure
    retention.connect()  # its part of a group's retention
    app.register_blueprint(bp)
    targets.register_kind(moderated.POST)  # moderation hides and publishes posts through it
    targets.register_place(moderated.TOPIC)
    attachments.register_owner("post", post_files.check_reader)  # who may read a post's files
    page_sections.register(
        "announcements",
        order=10,
        template="forum/_announcements.html",
        data=coach_routes.group_page_announcements,
        place="top",
    )
    page_sections.register(
        "forum",
        order=10,
        template="forum/_group_topics.html",
        data=routes.group_page_topics,
        scripts="forum/_group_scripts.html",
    )
    register_target_topics("post", notices.post_topics)  # the inbox shows a reply's or mention's topic
    moderation_signals.published_count.connect(screening.published_posts)
    moderation_signals.recent_posts.connect(screening.recent_posts)
    layout.register(
        layout.NavEntry("search", _l("Search"), "forum.search_page", 50, layout.on_endpoint("forum.search_page"))
    )
