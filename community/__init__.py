"""Kring: the application factory. Wiring only: extensions, blueprints, socket handlers, CLI, headers."""

from __future__ import annotations

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from config import Config, config_from_env, instance_path


def create_app(config: Config | None = None) -> Flask:
    app = Flask(__name__, template_folder="../templates", static_folder="../static", instance_path=str(instance_path()))
    app.config.from_object(config or config_from_env())
    if app.config["TRUSTED_PROXY_COUNT"]:
        hops = app.config["TRUSTED_PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=0, x_port=0, x_prefix=0)

    from community import models  # noqa: F401  (every table registered before anything uses the metadata)
    from community.core import counters, database, fragments, i18n, layout, security, sessions, socket_registry, urls
    from community.extensions import csrf, db, limiter, migrate, socketio

    database.engine_options(app.config)
    db.init_app(app)
    database.configure_engine(app)
    migrate.init_app(app, db, directory=str(app.root_path + "/../migrations"))
    csrf.init_app(app)
    limiter.init_app(app)
    counters.init_app(app)
    i18n.init_app(app)
    sessions.init_app(app)
    security.init_app(app)
    socketio.init_app(
        app,
        async_mode=app.config["SOCKETIO_ASYNC_MODE"],
        message_queue=app.config["REDIS_URL"] or None,
        channel=app.config["SOCKETIO_MESSAGE_QUEUE_CHANNEL"],
        cors_allowed_origins=[app.config["BASE_URL"]],
        max_http_buffer_size=app.config["SOCKETIO_MAX_HTTP_BUFFER_SIZE"],
        manage_session=False,
    )
    from community.core.realtime import limit_websocket_messages

    limit_websocket_messages(
        app.config["SOCKETIO_MAX_HTTP_BUFFER_SIZE"], deflate=app.config["SOCKETIO_PERMESSAGE_DEFLATE"]
    )
    socket_registry.init_app(app)

    from community import errors, health
    from community.accessibility import wiring as accessibility
    from community.admin import wiring as admin
    from community.attachments import wiring as attachments
    from community.auth import wiring as auth
    from community.chat import wiring as chat
    from community.consent import wiring as consent
    from community.events import wiring as events
    from community.forum import wiring as forum
    from community.groups import wiring as groups
    from community.insight import wiring as insight
    from community.moderation import wiring as moderation
    from community.notifications import wiring as notifications
    from community.privacy import wiring as privacy
    from community.professionals import wiring as professionals

    app.register_blueprint(health.bp)
    # Every feature's views are on its blueprint once its wiring is imported (above), so the order here is only
    # the order in which Flask matches URLs, kept as it was.
    for feature in (auth, groups, attachments, forum, chat, admin, notifications, moderation, accessibility,
                    professionals, consent, privacy, insight, events):  # fmt: skip
        feature.init_app(app, socketio)
    errors.init_app(app)
    layout.init_app(app)
    fragments.init_app(app)
    urls.init_app(app)  # after every blueprint: templates' url_for remembers what it built
    return app
