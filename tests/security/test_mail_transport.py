"""Outgoing mail verifies the mail server: STARTTLS and implicit TLS (port 465) refuse a certificate that no trusted
CA signed or that names another host, STARTTLS is never silently skipped, every mail carries Date and Message-ID,
and a batch (the outbox run) shares one connection. Against a real local SMTP server (aiosmtpd) with a throw-away
CA: the system does not trust it, so only MAIL_CA_FILE can make the server acceptable."""

from __future__ import annotations

import smtplib
import socket
import ssl
from collections.abc import Iterator
from email import message_from_bytes
from email.message import Message
from email.utils import parsedate_to_datetime
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from flask import Flask

from community.core.mail import mail_connection, send_mail
from community.extensions import db
from community.notifications.models import EmailOutbox
from config import ProductionConfig
from tests.factories import make_user
from tests.security.certificates import ServerCertificate, TestCA

TLS_MODES = ("starttls", "tls")
EHLOS_PER_CONNECTION = {"starttls": 2, "tls": 1, "none": 1}  # STARTTLS says EHLO again over the encrypted channel


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Recorder:
    """Keeps each accepted message with the client's address and port: one port per TCP connection."""

    def __init__(self) -> None:
        self.messages: list[Message] = []
        self.peers: list[tuple[str, int]] = []
        self.ehlos = 0
        self.refuse: set[str] = set()

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        self.ehlos += 1
        session.host_name = hostname
        return responses

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(message_from_bytes(envelope.content))
        self.peers.append(tuple(session.peer[:2]))
        return "250 Message accepted"

    def connections(self) -> int:
        return len(set(self.peers))


class TlsSmtpServer:
    """aiosmtpd with STARTTLS required ("starttls"), TLS from the first byte ("tls"), or plain ("none")."""

    def __init__(self, mode: str, certificate: ServerCertificate | None) -> None:
        self.mode = mode
        self.port = free_port()
        self.recorder = Recorder()
        self.kwargs: dict = {}
        if certificate is not None:
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(certificate.cert_file, certificate.key_file)
            if mode == "tls":
                self.kwargs["ssl_context"] = context
            else:
                self.kwargs.update(tls_context=context, require_starttls=True)
        self.controller: Controller | None = None

    def start(self) -> None:  # a stopped Controller cannot start again: a new one, on the same port
        self.controller = Controller(self.recorder, hostname="127.0.0.1", port=self.port, **self.kwargs)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def __enter__(self) -> TlsSmtpServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def configure(self, app: Flask, *, ca_file: Path | None, security: str | None = None) -> None:
        app.config.update(
            MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=self.port, MAIL_USE_TLS=False,
            MAIL_SECURITY=self.mode if security is None else security, MAIL_CA_FILE=str(ca_file or ""),
            MAIL_FROM="Kring <no-reply@kring.example.org>",
        )  # fmt: skip


@pytest.fixture(scope="module")
def ca(tmp_path_factory: pytest.TempPathFactory) -> TestCA:
    return TestCA(tmp_path_factory.mktemp("mail-ca"))


@pytest.fixture(scope="module")
def server_certificate(ca: TestCA) -> ServerCertificate:
    return ca.issue("smtp-loopback", dns=("localhost",), ips=("127.0.0.1",))


@pytest.fixture(params=TLS_MODES)
def tls_server(request: pytest.FixtureRequest, server_certificate: ServerCertificate) -> Iterator[TlsSmtpServer]:
    with TlsSmtpServer(request.param, server_certificate) as server:
        yield server


def send_one(app: Flask, to: str = "sam@example.org") -> None:
    with app.app_context():
        send_mail(to, "A link for you", "Open https://kring.example.org/notifications")


# --- verification ---------------------------------------------------------------------------------------------


def test_a_server_certificate_from_an_unconfigured_ca_is_refused(app, tls_server):
    tls_server.configure(app, ca_file=None)  # the system's CAs only: they never signed the test CA
    with pytest.raises(ssl.SSLCertVerificationError):
        send_one(app)
    assert tls_server.recorder.messages == []


def test_mail_goes_out_when_mail_ca_file_names_the_servers_ca(app, tls_server, ca):
    tls_server.configure(app, ca_file=ca.cert_file)
    send_one(app)
    [message] = tls_server.recorder.messages
    assert message["To"] == "sam@example.org" and message["Subject"] == "A link for you"


def test_a_certificate_for_another_host_name_is_refused_even_from_the_configured_ca(app, ca):
    other_host = ca.issue("someone-else", dns=("mail.someone-else.example",))
    for mode in TLS_MODES:
        with TlsSmtpServer(mode, other_host) as server:
            server.configure(app, ca_file=ca.cert_file)
            with pytest.raises(ssl.SSLCertVerificationError, match=r"IP address mismatch|hostname"):
                send_one(app)
            assert server.recorder.messages == []


def test_starttls_is_never_skipped_when_the_server_does_not_offer_it(app, ca):
    with TlsSmtpServer("none", None) as plain_server:  # a server (or a man in the middle) without STARTTLS
        plain_server.configure(app, ca_file=ca.cert_file, security="starttls")
        with pytest.raises(smtplib.SMTPNotSupportedError):
            send_one(app)
        assert plain_server.recorder.messages == []


def test_the_older_mail_use_tls_setting_still_means_verified_starttls(app, ca, server_certificate):
    with TlsSmtpServer("starttls", server_certificate) as server:
        server.configure(app, ca_file=None, security="")
        app.config["MAIL_USE_TLS"] = True
        with pytest.raises(ssl.SSLCertVerificationError):
            send_one(app)
        app.config["MAIL_CA_FILE"] = str(ca.cert_file)
        send_one(app)
        assert len(server.recorder.messages) == 1


# --- headers --------------------------------------------------------------------------------------------------


def test_every_mail_carries_a_date_and_a_unique_message_id_of_the_senders_domain(app, tls_server, ca):
    tls_server.configure(app, ca_file=ca.cert_file)
    send_one(app)
    send_one(app)
    first, second = tls_server.recorder.messages
    for message in (first, second):
        assert parsedate_to_datetime(message["Date"]).utcoffset().total_seconds() == 0
        assert message["Message-ID"].startswith("<") and message["Message-ID"].endswith("@kring.example.org>")
    assert first["Message-ID"] != second["Message-ID"]


def test_mails_kept_by_the_memory_backend_carry_date_and_message_id_too(app):
    send_one(app)
    [message] = app.extensions["kring_outbox"]
    assert message["Date"] and message["Message-ID"]


# --- one connection per batch ---------------------------------------------------------------------------------


def queue_outbox_mails(app: Flask, count: int) -> list[str]:
    addresses = []
    with app.app_context():
        for number in range(count):
            user = make_user(f"reader{number}", email=f"reader{number}@example.org")
            db.session.add(EmailOutbox(user_id=user.id, kind="digest", subject="News", body="A link"))
            addresses.append(user.email)
        db.session.commit()
    return addresses


def test_an_outbox_run_of_three_mails_uses_one_connection(app, tls_server, ca):
    tls_server.configure(app, ca_file=ca.cert_file)
    addresses = queue_outbox_mails(app, 3)

    result = app.test_cli_runner().invoke(args=["notifications", "send-mail"])

    assert result.exit_code == 0 and "Sent 3," in result.output, result.output
    assert sorted(message["To"] for message in tls_server.recorder.messages) == addresses
    assert tls_server.recorder.connections() == 1
    assert tls_server.recorder.ehlos == EHLOS_PER_CONNECTION[tls_server.mode]


def test_a_refused_address_in_a_batch_does_not_cost_the_others_their_connection(app, tls_server, ca):
    tls_server.configure(app, ca_file=ca.cert_file)
    tls_server.recorder.refuse.add("second@example.org")
    with app.app_context(), mail_connection():
        send_mail("first@example.org", "s", "b")
        with pytest.raises(smtplib.SMTPRecipientsRefused):
            send_mail("second@example.org", "s", "b")
        send_mail("third@example.org", "s", "b")
    assert [message["To"] for message in tls_server.recorder.messages] == ["first@example.org", "third@example.org"]
    assert tls_server.recorder.connections() == 1


def test_outside_a_batch_each_mail_has_a_connection_of_its_own(app, tls_server, ca):
    tls_server.configure(app, ca_file=ca.cert_file)
    send_one(app)
    send_one(app)
    assert tls_server.recorder.connections() == 2


def test_a_batch_whose_connection_broke_opens_a_new_one_for_the_next_mail(app, ca, server_certificate):
    with TlsSmtpServer("tls", server_certificate) as server:
        server.configure(app, ca_file=ca.cert_file)
        with app.app_context(), mail_connection():
            send_mail("first@example.org", "s", "b")
            server.stop()  # the server goes away mid-batch
            with pytest.raises((smtplib.SMTPException, OSError)):
                send_mail("second@example.org", "s", "b")
            server.start()
            send_mail("third@example.org", "s", "b")
    assert [message["To"] for message in server.recorder.messages] == ["first@example.org", "third@example.org"]
    assert server.recorder.connections() == 2


# --- configuration --------------------------------------------------------------------------------------------


@pytest.fixture
def production_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    monkeypatch.setenv("SECRET_KEY", "x" * 20 + "a-long-random-production-key")
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://kring@db/kring")
    monkeypatch.setenv("TWO_FACTOR_KEYS", "dGhpcy1pcy1hLXByb2R1Y3Rpb24ta2V5LTMyLWJ5dGU=")
    for name in ("MAIL_SECURITY", "MAIL_USE_TLS", "MAIL_SERVER", "MAIL_BACKEND"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_production_refuses_plain_smtp_to_another_machine(production_env):
    production_env.setenv("MAIL_SERVER", "smtp.example.org")
    with pytest.raises(RuntimeError, match="MAIL_SECURITY must be starttls or tls"):
        ProductionConfig()
    production_env.setenv("MAIL_SECURITY", "tls")
    assert ProductionConfig().MAIL_SECURITY == "tls"


def test_production_allows_plain_smtp_to_a_mail_server_on_the_same_machine(production_env):
    production_env.setenv("MAIL_SERVER", "127.0.0.1")
    assert ProductionConfig().MAIL_SERVER == "127.0.0.1"


def test_a_misspelt_mail_security_setting_stops_the_start(production_env):
    production_env.setenv("MAIL_SECURITY", "ssl")
    with pytest.raises(RuntimeError, match="MAIL_SECURITY must be one of starttls, tls, none"):
        ProductionConfig()
