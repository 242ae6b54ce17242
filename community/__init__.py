"""Kring: the application factory. Wiring only: extensions, blueprints, socket handlers, CLI, headers."""

from __future__ import annotations

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from config import Config, config_from_env


def create_app(config: Config | None = None) -> Flask:
    app = Flask(__name__, template_folder="../templates", static_folder="../static")
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

    from community import admin, auth, chat, consent, errors, forum, groups, health, moderation, notifications, privacy
    from community.auth import events as auth_events
    from community.chat import events as chat_events

    for blueprint in (health.bp, auth.bp, groups.bp, forum.bp, chat.bp, admin.bp, notifications.bp):
        app.register_blueprint(blueprint)
    from community.moderation import routes as _moderation_routes  # noqa: F401  (issue #6 C; imported late: cycle)
    from community.moderation.safeguarding import wiring as safeguarding  # issue #6 B: cases, /help, alerts

    safeguarding.init_app(app, socketio)
    app.register_blueprint(moderation.bp)
    from community import accessibility  # issue #8: display preferences, language picker, statement

    accessibility.init_app(app)
    from community import professionals  # issue #9: professionals' profiles, requests, questions

    app.register_blueprint(professionals.bp)
    # issue #7 (consent, privacy): imported above, before the loop, because both add pages to admin.bp.
    app.register_blueprint(consent.bp)  # consent gates, documents, guardian links
    app.register_blueprint(privacy.bp)  # issue #7: privacy page, export, erasure
    privacy.register_cli(app)  # flask privacy build-exports, flask retention run
    from community import insight  # issue #10: staff insight (/insight); notifications CLI is on notifications.bp

    app.register_blueprint(insight.bp)
    errors.init_app(app)
    layout.init_app(app)
    fragments.init_app(app)
    urls.init_app(app)  # after every blueprint: templates' url_for remembers what it built
    auth_events.register(socketio)
    chat_events.register(socketio)
    from community.moderation import events as moderation_events

    moderation_events.register(socketio)
    admin.register_cli(app)
    from community.moderation.actions_expiry import register_cli as moderation_cli  # issue #6 C

    moderation_cli(app)
    return app
