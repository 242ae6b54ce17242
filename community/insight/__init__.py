"""Staff insight: group health figures for admins (all groups) and moderators (their groups), moderator workload,
shift hand-over notes and the pilot view. Figures only, never who wrote what; small numbers are suppressed."""

from flask import Blueprint

bp = Blueprint("insight", __name__)
