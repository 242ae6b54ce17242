"""The yardstick for ``bench/chat.py``: a bare Flask-SocketIO room, served exactly like Kring (gunicorn, gevent
worker, simple-websocket). ``join`` enters a room, ``send`` re-broadcasts the payload to the room and then
acknowledges. No sign-in, no storage, no screening: what Kring's chat costs on top is the difference.

Run: ``gunicorn -k gevent -w 1 --no-control-socket bench.bare_chat_app:app`` (REDIS_URL and
SOCKETIO_MESSAGE_QUEUE_CHANNEL share rooms between processes, like Kring).
"""

from __future__ import annotations

import os

from flask import Flask, jsonify
from flask_socketio import SocketIO, emit, join_room

app = Flask(__name__)
socketio = SocketIO(
    app,
    async_mode="gevent",
    message_queue=os.environ.get("REDIS_URL") or None,
    channel=os.environ.get("SOCKETIO_MESSAGE_QUEUE_CHANNEL") or "flask-socketio",
    cors_allowed_origins=[os.environ.get("BASE_URL", "http://127.0.0.1:5000")],
    max_http_buffer_size=64 * 1024,
)


@app.get("/healthz")
def healthz():
    return jsonify(status="ok")


@socketio.on("join")
def on_join(data: dict) -> dict:
    join_room(str(data["room"]))
    return {"ok": True}


@socketio.on("send")
def on_send(data: dict) -> dict:
    emit("message", {"message": data}, to=str(data["room"]))
    return {"ok": True}
