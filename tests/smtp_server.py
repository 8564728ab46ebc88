"""A real SMTP server on 127.0.0.1 (aiosmtpd) that collects what it receives, for tests."""
from __future__ import annotations

import socket
import threading
import time
from contextlib import contextmanager
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class CollectingHandler:
    """An aiosmtpd handler that keeps every accepted message."""

    def __init__(self):
        self.messages: list[EmailMessage] = []
        self.envelopes: list = []
        self._arrived = threading.Condition()

    async def handle_DATA(self, server, session, envelope):
        """Parse and keep the message, then accept it."""
        # SMTP carries CRLF line ends; plain \n lets tests compare bodies with Python strings.
        raw = (envelope.original_content or envelope.content).replace(b"\r\n", b"\n")
        parsed = BytesParser(policy=policy.default).parsebytes(raw)
        with self._arrived:
            self.envelopes.append(envelope)
            self.messages.append(parsed)
            self._arrived.notify_all()
        return "250 Message accepted for delivery"

    def wait_for(self, count: int, timeout: float = 5) -> list[EmailMessage]:
        """Block until ``count`` messages arrived; TimeoutError otherwise."""
        deadline = time.monotonic() + timeout
        with self._arrived:
            while len(self.messages) < count:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(f"expected {count} e-mails, got {len(self.messages)}")
                self._arrived.wait(remaining)
            return list(self.messages)


class RunningSmtpServer:
    """What ``running_smtp_server()`` yields: the URL to send to and what arrived."""

    def __init__(self, url: str, handler: CollectingHandler, logins: list):
        self.url = url
        self.handler = handler
        self.logins = logins

    @property
    def messages(self) -> list[EmailMessage]:
        """Received messages, oldest first."""
        return self.handler.messages

    @property
    def envelopes(self) -> list:
        """Received SMTP envelopes (``mail_from``, ``rcpt_tos``), oldest first."""
        return self.handler.envelopes

    def wait_for(self, count: int, timeout: float = 5) -> list[EmailMessage]:
        """Block until ``count`` messages arrived; TimeoutError otherwise."""
        return self.handler.wait_for(count, timeout)


def _authenticator(credentials: tuple[str, str], logins: list):
    """An aiosmtpd authenticator accepting exactly ``credentials`` and recording attempts."""

    def authenticate(server, session, envelope, mechanism, auth_data):
        user = auth_data.login.decode("utf-8")
        password = auth_data.password.decode("utf-8")
        logins.append((user, password))
        # handled=False makes aiosmtpd answer a failure with 535 itself.
        return AuthResult(success=(user, password) == credentials, handled=False)

    return authenticate


@contextmanager
def running_smtp_server(credentials: tuple[str, str] | None = None):
    """Run an SMTP server on a free 127.0.0.1 port; with ``credentials`` it offers AUTH and checks them."""
    handler = CollectingHandler()
    logins: list = []
    port = free_port()
    options = {"server_hostname": "localhost"}  # skips a slow reverse DNS lookup
    if credentials:
        # Plain-text AUTH is fine on loopback; TLS would need a certificate.
        options.update(
            authenticator=_authenticator(credentials, logins),
            auth_require_tls=False,
        )
    controller = Controller(handler, hostname="127.0.0.1", port=port, **options)
    controller.start()
    try:
        yield RunningSmtpServer(f"smtp://127.0.0.1:{port}", handler, logins)
    finally:
        controller.stop()
