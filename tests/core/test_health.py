"""/healthz tells a load balancer whether the database answers."""

from __future__ import annotations

from tests.conftest import build_app


def test_healthz_is_ok_when_the_database_answers(db_app):
    response = db_app.test_client().get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_healthz_is_503_when_the_database_is_down(tmp_path):
    # A database file in a folder that does not exist: every connection attempt fails.
    app = build_app(f"sqlite:///{tmp_path / 'missing' / 'kring.db'}")
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["status"] == "unavailable"


def test_healthz_is_503_when_postgresql_does_not_answer():
    app = build_app("postgresql+psycopg://postgres@127.0.0.1:1/none?connect_timeout=1")
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
