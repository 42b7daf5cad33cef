"""A lean loopback SMTP sink for the newsletter benchmark (asyncio.Protocol, one process each).

aiosmtpd (kept for the tests: its gate and recording are what they need) spends a lot of CPU per
message; on a 2-core machine that CPU is taken from the very senders being measured, and the sink
becomes the ceiling of every figure. This one implements only the subset a sender uses: greeting,
EHLO/HELO (PIPELINING, 8BITMIME, SIZE), MAIL, RCPT, DATA (dot-unstuffed, ends at a line "."), RSET,
NOOP, QUIT. Commands are parsed line by line from a buffer, so several arriving in one read
(PIPELINING) are answered in order, and the answers of one read leave in one write.

It counts messages per recipient (the tests also use it, in a thread, for the PIPELINING path:
`refuse` and `Tally(record=True)`). Run as a program (`python -m bench.smtp_sink [PROCESSES]`), it
listens on 127.0.0.1 with SO_REUSEPORT in PROCESSES processes (1 by default), prints
`READY <port>`, and when its stdin closes prints one JSON line: {"messages": total, "recipients":
distinct recipients, "max_per_recipient": n, "bytes": unstuffed message bytes}.
"""

from __future__ import annotations

import asyncio
import json
import multiprocessing
import os
import socket
import sys
from collections import Counter
from multiprocessing.connection import Connection

GREETING = b"220 sink.localhost ESMTP bench sink\r\n"
EHLO_REPLY = b"250-sink.localhost\r\n250-PIPELINING\r\n250-8BITMIME\r\n250 SIZE 52428800\r\n"
MAX_LINE = 4096


class Tally:
    def __init__(self, *, record: bool = False) -> None:
        self.per_recipient: Counter[str] = Counter()
        self.messages = 0
        self.bytes = 0
        self.record = record  # keep (recipient, content) of every message (tests)
        self.received: list[tuple[str, bytes]] = []

    def summary(self) -> dict[str, int]:
        return {
            "messages": self.messages,
            "recipients": len(self.per_recipient),
            "max_per_recipient": max(self.per_recipient.values(), default=0),
            "bytes": self.bytes,
        }


class SinkProtocol(asyncio.Protocol):
    def __init__(self, tally: Tally, refuse: frozenset[bytes] = frozenset()) -> None:
        self.tally = tally
        self.refuse = refuse  # recipients answered "550 no such user" at RCPT (tests)
        self.transport: asyncio.Transport | None = None
        self.buffer = b""
        self.in_data = False
        self.sender: bytes | None = None
        self.recipients: list[bytes] = []

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        transport.write(GREETING)

    def data_received(self, data: bytes) -> None:
        buffer = self.buffer + data if self.buffer else data
        out: list[bytes] = []
        start = 0
        closing = False
        while True:
            if self.in_data:
                # The message ends at a line holding only "." (also right after DATA: empty message).
                if buffer.startswith(b".\r\n", start):
                    end, after = start, start + 3
                else:
                    found = buffer.find(b"\r\n.\r\n", start)
                    if found < 0:
                        break
                    end, after = found + 2, found + 5
                out.append(self._message(buffer[start:end]))
                start, self.in_data = after, False
                continue
            end = buffer.find(b"\r\n", start)
            if end < 0:
                if len(buffer) - start > MAX_LINE:
                    out.append(b"500 5.5.2 Line too long\r\n")
                    closing = True
                break
            line = buffer[start:end]
            start = end + 2
            reply = self._command(line)
            out.append(reply)
            if reply.startswith(b"221"):
                closing = True
                break
        self.buffer = buffer[start:]
        if self.transport is not None:
            if out:
                self.transport.write(b"".join(out))
            if closing:
                self.transport.close()

    def _command(self, line: bytes) -> bytes:
        verb = line[:4].upper()
        if verb == b"MAIL":
            if self.sender is not None:
                return b"503 5.5.1 Nested MAIL command\r\n"
            if line[4:11].upper() != b" FROM:<" or line.find(b">", 11) < 0:
                return b"501 5.5.4 Syntax: MAIL FROM:<address>\r\n"
            self.sender = line[11 : line.find(b">", 11)]
            return b"250 2.1.0 OK\r\n"
        if verb == b"RCPT":
            if self.sender is None:
                return b"503 5.5.1 Need MAIL first\r\n"
            if line[4:9].upper() != b" TO:<" or line.find(b">", 9) < 0:
                return b"501 5.5.4 Syntax: RCPT TO:<address>\r\n"
            recipient = line[9 : line.find(b">", 9)]
            if recipient in self.refuse:
                return b"550 5.1.1 No such user\r\n"
            self.recipients.append(recipient)
            return b"250 2.1.5 OK\r\n"
        if verb == b"DATA":
            if not self.recipients:
                return b"503 5.5.1 Need RCPT first\r\n"
            self.in_data = True
            return b"354 End data with <CR><LF>.<CR><LF>\r\n"
        if verb == b"EHLO":
            self._reset()
            return EHLO_REPLY
        if verb == b"HELO":
            self._reset()
            return b"250 sink.localhost\r\n"
        if verb == b"RSET":
            self._reset()
            return b"250 2.0.0 OK\r\n"
        if verb == b"NOOP":
            return b"250 2.0.0 OK\r\n"
        if verb == b"QUIT":
            return b"221 2.0.0 Bye\r\n"
        return b"502 5.5.2 Command not implemented\r\n"

    def _message(self, raw: bytes) -> bytes:
        # Dot-unstuffing: a line starting with "." was sent with one more "." in front.
        content = raw[1:] if raw.startswith(b"..") else raw
        if b"\r\n.." in content:
            content = content.replace(b"\r\n..", b"\r\n.")
        tally = self.tally
        tally.messages += 1
        tally.bytes += len(content)
        per_recipient = tally.per_recipient
        for recipient in self.recipients:
            key = recipient.decode("ascii", "replace")
            per_recipient[key] += 1
            if tally.record:
                tally.received.append((key, content))
        self._reset()
        return b"250 2.0.0 OK queued\r\n"

    def _reset(self) -> None:
        self.sender = None
        self.recipients = []


def listening_socket(port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind(("127.0.0.1", port))
    sock.listen(128)
    sock.setblocking(False)
    return sock


def serve(port: int, control: Connection) -> None:
    """One sink process: serve until `control` says stop, then send back the tally."""

    async def run() -> None:
        tally = Tally()
        loop = asyncio.get_running_loop()
        server = await loop.create_server(lambda: SinkProtocol(tally), sock=listening_socket(port))
        control.send("ready")
        stop = asyncio.Event()
        loop.add_reader(control.fileno(), stop.set)
        await stop.wait()
        server.close()
        control.send(tally.summary())
        control.send(dict(tally.per_recipient))

    asyncio.run(run())


def main() -> None:
    processes = int(sys.argv[1]) if len(sys.argv) > 1 else 1
    with socket.socket() as probe:  # a free port; the sink processes bind it with SO_REUSEPORT
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
        workers = []
        for _number in range(processes):
            ours, theirs = multiprocessing.Pipe()
            process = multiprocessing.Process(target=serve, args=(port, theirs), daemon=True)
            process.start()
            workers.append((process, ours))
        for _process, pipe in workers:
            pipe.recv()
    print(f"READY {port}", flush=True)
    sys.stdin.read()  # until the parent closes our stdin
    total: Counter[str] = Counter()
    summary = {"messages": 0, "bytes": 0}
    for _process, pipe in workers:
        pipe.send("stop")
    for process, pipe in workers:
        part = pipe.recv()
        summary["messages"] += part["messages"]
        summary["bytes"] += part["bytes"]
        total.update(pipe.recv())
        process.join(timeout=10)
    summary["recipients"] = len(total)
    summary["max_per_recipient"] = max(total.values(), default=0)
    print(json.dumps(summary), flush=True)
    os._exit(0)


if __name__ == "__main__":
    main()
