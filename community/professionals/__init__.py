"""Professionals: profiles, choosing a professional (requests), and asking a group's professionals a question."""

from flask import Blueprint

bp = Blueprint("professionals", __name__)


@bp.app_template_filter("local_moment")
def _local_moment(value) -> str:
    from community.professionals._adapters import local_moment

    return local_moment(value)


from community.professionals import profile_routes, question_routes, request_routes, review_routes  # noqa: E402,F401
