"""Accessibility and languages: display preferences, the language picker and the accessibility statement.

The routes are imported in init_app, not here: community.models imports this package's models early, and an
eager import of the routes would pull every other feature in before the models are all defined.
"""

from flask import Blueprint

bp = Blueprint("accessibility", __name__)
