"""Liveness for load balancers and monitoring: is the database answering?"""

from __future__ import annotations

from flask import Blueprint, Response, jsonify

from community.core.database import database_answers
from community.core.security import public
from community.extensions import db

bp = Blueprint("health", __name__)


@bp.route("/healthz")
@public
def healthz() -> tuple[Response, int]:
    if database_answers(db.engine):
        return jsonify(status="ok"), 200
    return jsonify(status="unavailable", reason="database"), 503
