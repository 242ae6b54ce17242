"""The WSGI entry point for gunicorn (`gunicorn -k gevent -w 1 --no-control-socket wsgi:app`) and `flask --app wsgi`.

Under gunicorn's gevent worker the standard library is already monkey-patched before this module loads, so
psycopg and Redis calls yield to other connections instead of blocking the process.
"""

import gc

from community import create_app
from community.extensions import socketio
from community.moderation.safeguarding.detection import warm_up

app = create_app()
warm_up()  # crisis-language lists and lemma tables, before the first message rather than during it
# Everything built so far lives as long as the process: keep it out of the garbage collector's full passes,
# which otherwise walk it all (about 0.1 s, measured by bench/safeguarding.py) in the middle of some request.
gc.collect()
gc.freeze()

__all__ = ["app", "socketio"]
