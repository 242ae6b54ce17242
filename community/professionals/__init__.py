"""Professionals: profiles, choosing a professional (requests), and asking a group's professionals a question."""

from flask import Blueprint

bp = Blueprint("professionals", __name__)
