"""A loopback SMTP server for tests and the newsletter benchmark (aiosmtpd).

`Sink` records every accepted message with its recipient. Its gate holds the answer to every
DATA that arrives while closed and then refuses it (451, nothing recorded): a test closes the gate,
waits until every recorded message is also recorded as sent in the database, and only then kills
the worker, so that the kill falls outside the one window no SMTP client can close (see
newsletters/sending.py). Run as a program (`python -m enishi.newsletters.tests.smtp_sink`), it
counts messages in its own process, prints `READY <port>`, and prints the count when stdin closes.
"""

from __future__ import annotations

import asyncio
import socket
import sys
import threading
import time
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class _Handler:
    def __init__(self, record: bool, refuse: frozenset[str] = frozenset()) -> None:
        self.record = record
        self.refuse = refuse  # recipients answered "550 no such user" at RCPT
        self.messages: list[tuple[str, bytes, float]] = []
        self.count = 0
        self.lock = threading.Lock()
        self.open = threading.Event()
        self.open.set()

    async def handle_RCPT(self, server: SMTP, session: Any, envelope: Any, address: str, options: list[str]) -> str:
        if address in self.refuse:
            return "550 5.1.1 No such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Any, envelope: Any) -> str:
        if not self.open.is_set():
            while not self.open.is_set():
                await asyncio.sleep(0.01)
            return "451 Try again later"
        with self.lock:
            self.count += 1
            if self.record:
                for recipient in envelope.rcpt_tos:
                    self.messages.append((recipient, bytes(envelope.content), time.time()))
        return "250 OK"


class Sink:
    def __init__(self, *, record: bool = True, refuse: frozenset[str] = frozenset()) -> None:
        self.handler = _Handler(record, refuse)
        self.port = free_port()
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)

    def __enter__(self) -> Sink:
        self.controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.controller.stop()

    @property
    def count(self) -> int:
        with self.handler.lock:
            return self.handler.count

    def recipients(self) -> list[str]:
        with self.handler.lock:
            return [recipient for recipient, _content, _at in self.handler.messages]

    def arrivals(self) -> dict[str, float]:
        """When each recipient's (last) message was accepted, as a Unix time."""
        with self.handler.lock:
            return {recipient: at for recipient, _content, at in self.handler.messages}

    def messages(self) -> list[tuple[str, bytes, float]]:
        with self.handler.lock:
            return list(self.handler.messages)

    def close_gate(self) -> None:
        self.handler.open.clear()

    def open_gate(self) -> None:
        self.handler.open.set()


def main() -> None:
    port = int(sys.argv[1]) if len(sys.argv) > 1 else free_port()
    handler = _Handler(record=False)
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    print(f"READY {port}", flush=True)
    sys.stdin.read()  # until the parent closes our stdin
    controller.stop()
    print(handler.count, flush=True)


if __name__ == "__main__":
    main()
