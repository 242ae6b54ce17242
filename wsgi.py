"""The WSGI entry point for gunicorn (`gunicorn -k gevent -w 1 --no-control-socket wsgi:app`) and `flask --app wsgi`.

Under gunicorn's gevent worker the standard library is already monkey-patched before this module loads, so
psycopg and Redis calls yield to other connections instead of blocking the process.
"""

from community import create_app
from community.extensions import socketio

app = create_app()

__all__ = ["app", "socketio"]
