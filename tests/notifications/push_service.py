"""A push service on 127.0.0.1 for the Web Push tests, and a browser's side of a subscription.

The service keeps every request it gets and answers with the statuses it is told (201 by default). A test
checks what a real push service and a real browser would: the VAPID JWT (RFC 8292: ES256 signature with the
key in ``k``, ``aud`` the service's origin, ``exp`` within 24 hours, ``sub`` a contact), and the body decrypted
(RFC 8291, aes128gcm) with the subscription's private key and auth secret, which only the browser holds.
"""

from __future__ import annotations

import base64
import json
import os
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import http_ece
import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Browser:
    """A browser's push subscription: its own P-256 key pair and 16-byte auth secret."""

    endpoint: str
    private_key: ec.EllipticCurvePrivateKey = field(default_factory=lambda: ec.generate_private_key(ec.SECP256R1()))
    auth_secret: bytes = field(default_factory=lambda: os.urandom(16))

    def to_json(self) -> dict:
        point = self.private_key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        return {"endpoint": self.endpoint, "expirationTime": None,
                "keys": {"p256dh": b64url(point), "auth": b64url(self.auth_secret)}}  # fmt: skip

    def decrypt(self, received: Received) -> dict:
        assert received.headers["content-encoding"] == "aes128gcm"
        plain = http_ece.decrypt(
            received.body, private_key=self.private_key, auth_secret=self.auth_secret, version="aes128gcm"
        )
        return json.loads(plain)


class PushService:
    def __init__(self) -> None:
        self.received: list[Received] = []
        self.statuses: list[int] = []  # the next answers, in order; then 201
        self.arrived = threading.Event()
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                headers = {key.lower(): value for key, value in self.headers.items()}
                service.received.append(Received(self.path, headers, body))
                status = service.statuses.pop(0) if service.statuses else 201
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()
                service.arrived.set()

            def log_message(self, *_args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.origin = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def browser(self, name: str = "device") -> Browser:
        return Browser(f"{self.origin}/push/{name}-{b64url(os.urandom(9))}")

    def verify_vapid(self, received: Received, public_key: str) -> dict:
        """The JWT's signature, checked with the key in ``k`` (which must be the site's), and its claims."""
        scheme, _space, params = received.headers["authorization"].partition(" ")
        assert scheme == "vapid"
        parts = dict(item.split("=", 1) for item in params.split(","))
        assert parts["k"] == public_key
        signing_input, _dot, signature = parts["t"].rpartition(".")
        raw = unb64url(signature)
        assert len(raw) == 64
        key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64url(parts["k"]))
        der = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
        key.verify(der, signing_input.encode(), ec.ECDSA(hashes.SHA256()))  # raises InvalidSignature
        header = json.loads(unb64url(signing_input.split(".")[0]))
        assert header["alg"] == "ES256"
        claims = json.loads(unb64url(signing_input.split(".")[1]))
        assert claims["aud"] == self.origin
        assert time.time() < claims["exp"] <= time.time() + 24 * 3600
        assert claims["sub"].startswith(("mailto:", "https:"))
        return claims

    def wait(self, count: int, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while len(self.received) < count and time.monotonic() < deadline:
            self.arrived.wait(0.05)
            self.arrived.clear()
        assert len(self.received) >= count, f"{len(self.received)} pushes arrived, expected {count}"


@pytest.fixture
def push_service() -> Iterator[PushService]:
    service = PushService()
    service.thread.start()
    yield service
    service.server.shutdown()
    service.server.server_close()
