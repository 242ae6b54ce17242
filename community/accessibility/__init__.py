"""Accessibility and languages: display preferences, the language picker and the accessibility statement.

The routes are imported in init_app, not here: community.models imports this package's models early, and an
eager import of the routes would pull every other feature in before the models are all defined.
"""

from flask import Blueprint, Flask

bp = Blueprint("accessibility", __name__)


def init_app(app: Flask) -> None:
    from community.accessibility import routes  # noqa: F401  (registers the views on bp)

    app.register_blueprint(bp)
