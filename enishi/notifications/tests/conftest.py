"""A real SMTP server on loopback, so delivery tests read what actually went over the wire."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from pytest_django import Settings

LOOPBACK = "127.0.0.1"


def unused_port() -> int:
    """A TCP port nobody listens on (the OS picks it; we release it at once)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((LOOPBACK, 0))
        return int(probe.getsockname()[1])


@dataclass(frozen=True)
class ReceivedEmail:
    """One message as the SMTP server received it: envelope plus the parsed MIME message."""

    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage

    @property
    def subject(self) -> str:
        # Django folds a long encoded subject onto a continuation line ("Subject:" CRLF " =?utf-8?…");
        # unfolding leaves a leading space that mail readers trim, and so do we.
        return str(self.message["Subject"]).strip()

    @property
    def text(self) -> str:
        part = self.message.get_body(preferencelist=("plain",))
        assert part is not None, "no text/plain part"
        return str(part.get_content())  # type: ignore[attr-defined]

    @property
    def html(self) -> str:
        part = self.message.get_body(preferencelist=("html",))
        assert part is not None, "no text/html part"
        return str(part.get_content())  # type: ignore[attr-defined]


@dataclass
class RecordingHandler:
    """aiosmtpd handler that accepts every message and keeps it."""

    received: list[ReceivedEmail] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        content = envelope.content if isinstance(envelope.content, bytes) else envelope.content.encode()
        parsed = message_from_bytes(content, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        with self.lock:
            self.received.append(ReceivedEmail(envelope.mail_from, list(envelope.rcpt_tos), parsed))
        # The client's send() returns only after this reply, so tests need not wait.
        return "250 Message accepted for delivery"


@dataclass
class LoopbackSMTP:
    host: str
    port: int
    handler: RecordingHandler

    @property
    def messages(self) -> list[ReceivedEmail]:
        with self.handler.lock:
            return list(self.handler.received)


@pytest.fixture
def smtp_server(settings: Settings) -> Iterator[LoopbackSMTP]:
    """Start an SMTP server on 127.0.0.1 and make Django's SMTP backend deliver to it."""
    handler = RecordingHandler()
    port = unused_port()
    controller = Controller(handler, hostname=LOOPBACK, port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = LOOPBACK
    settings.EMAIL_PORT = port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    try:
        yield LoopbackSMTP(host=LOOPBACK, port=port, handler=handler)
    finally:
        controller.stop()


@pytest.fixture
def closed_port() -> int:
    """A loopback port with no server behind it: connecting there is refused."""
    return unused_port()
