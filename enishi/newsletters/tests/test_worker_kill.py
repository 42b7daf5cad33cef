"""Exactly once through SIGKILL: 2,000 recipients, the real worker (`manage.py worker`) killed twice
in the middle of the send and restarted, a loopback SMTP server counting what arrives.

The worker needs a database another process can open, so this test makes its own (a SQLite file,
or a fresh PostgreSQL database on the server of DATABASE_URL) and migrates it with manage.py; it
does not use pytest-django's test database. Each kill happens while the sink holds the answer to
every message in flight and after every message it accepted is recorded as sent: the one window no
SMTP client can close (accepted, not yet recorded) is thus excluded by construction, and what the
test proves is the rest: claims, leases, restarts, no message sent twice, none lost.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from enishi.newsletters.tests.smtp_sink import Sink

RECIPIENTS = 2000
LEASE_SECONDS = 3
KILL_AFTER = (500, 1200)
ROOT = Path(settings.BASE_DIR)
TIMEOUT_S = 180


@contextmanager
def _database(tmp_path: Path) -> Iterator[tuple[str, Callable[[str], Any], Callable[[str], list[Any]]]]:
    """(DATABASE_URL for the subprocesses, functions running one SQL query: its first row, all rows)."""
    configured = os.environ.get("DATABASE_URL", "")
    if not configured.startswith(("postgres://", "postgresql://")):
        path = tmp_path / "kill.sqlite3"

        def all_sqlite(sql: str) -> list[Any]:
            conn = sqlite3.connect(path, timeout=20)
            try:
                return conn.execute(sql).fetchall()
            finally:
                conn.close()

        yield f"sqlite:///{path}", lambda sql: all_sqlite(sql)[0], all_sqlite
        return
    import psycopg

    server = configured.rsplit("/", 1)[0]
    name = f"enishi_nlkill_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:

        def all_postgres(sql: str) -> list[Any]:
            with psycopg.connect(f"{server}/{name}", autocommit=True) as conn:
                return conn.execute(sql).fetchall()  # type: ignore[arg-type]

        yield f"{server}/{name}", lambda sql: all_postgres(sql)[0], all_postgres
    finally:
        with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _epoch(value: Any) -> float:
    """A claimed_at read with a raw query (naive UTC text on SQLite, aware datetime on PostgreSQL)."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value).replace(tzinfo=UTC)
    return float(value.timestamp())


def _env(url: str, port: int, tmp_path: Path) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "enishi.settings",
        "DATABASE_URL": url,
        "SECRET_KEY": "kill-test-secret-key-not-for-production",
        "DEBUG": "0",
        "TASK_BACKEND": "db",
        "EMAIL_BACKEND": "smtp",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(port),
        "EMAIL_TIMEOUT": "1",
        "NEWSLETTER_LEASE_SECONDS": str(LEASE_SECONDS),
        "NEWSLETTER_SMTP_CONNECTIONS": "4",
        "WORKER_HEARTBEAT_SECONDS": "1",
        "ENISHI_VAR_DIR": str(tmp_path / "var"),
        "CACHE_BACKEND": "locmem",
        "LOG_LEVEL": "ERROR",
        "SITE_URL": "http://testserver",
    }


def _wait(condition: Callable[[], bool], what: str, timeout: float = TIMEOUT_S) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


def test_a_worker_killed_twice_sends_every_message_exactly_once(tmp_path: Path) -> None:
    with Sink() as sink, _database(tmp_path) as (url, query, query_all):
        env = _env(url, sink.port, tmp_path)
        manage = [sys.executable, str(ROOT / "manage.py")]
        subprocess.run([*manage, "migrate", "-v0"], cwd=ROOT, env=env, check=True, timeout=600)
        seeded = subprocess.run(
            [sys.executable, "-m", "enishi.newsletters.tests.bulk_seed", str(RECIPIENTS), "kill-test"],
            cwd=ROOT, env=env, check=True, timeout=600, capture_output=True, text=True,
        )  # fmt: skip
        newsletter_id = int(seeded.stdout.strip().splitlines()[-1])

        def count(status: str) -> int:
            sql = (
                f"SELECT count(*) FROM newsletters_delivery WHERE newsletter_id = {newsletter_id} "  # noqa: S608
                f"AND status = '{status}'"
            )
            return int(query(sql)[0])

        def claimed(newsletter_id: int) -> list[tuple[str, float]]:
            rows = query_all(
                f"SELECT email, claimed_at FROM newsletters_delivery WHERE newsletter_id = {newsletter_id} "  # noqa: S608
                "AND status = 'sending'"
            )
            return [(email, _epoch(at)) for email, at in rows]

        def start_worker() -> subprocess.Popen[bytes]:
            log = (tmp_path / "worker.log").open("ab")
            return subprocess.Popen([*manage, "worker"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)

        worker = start_worker()
        held: dict[str, float] = {}  # email → the moment its dead claim's lease ends
        try:
            for threshold in KILL_AFTER:
                _wait(lambda threshold=threshold: sink.count >= threshold, f"{threshold} messages")  # type: ignore[misc]
                sink.close_gate()  # hold every message in flight; nothing more is accepted
                _wait(lambda: count("sent") == sink.count, "every accepted message recorded as sent")
                worker.send_signal(signal.SIGKILL)
                worker.wait(timeout=30)
                # the dead worker's claims: taken, not confirmed; nobody may send them before the lease ends
                claims = claimed(newsletter_id)
                assert claims
                held.update({email: at + LEASE_SECONDS for email, at in claims})
                sink.open_gate()
                time.sleep(LEASE_SECONDS / 2)  # long enough for the maintenance job to see the send stalled
                worker = start_worker()
            _wait(lambda: query(f"SELECT status FROM newsletters_newsletter WHERE id = {newsletter_id}")[0] == "sent",  # noqa: S608
                  "the newsletter to be sent")  # fmt: skip
        finally:
            worker.send_signal(signal.SIGKILL)
            worker.wait(timeout=30)

        arrivals = sink.arrivals()
        assert all(arrivals[email] >= lease_end for email, lease_end in held.items())
        per_recipient = Counter(sink.recipients())
        assert len(per_recipient) == RECIPIENTS
        assert set(per_recipient.values()) == {1}
        assert {f"alumnus{number}@kill-test.example" for number in range(RECIPIENTS)} == set(per_recipient)
        assert (count("sent"), count("queued"), count("sending"), count("failed"), count("bounced")) == (
            RECIPIENTS, 0, 0, 0, 0,
        )  # fmt: skip


@pytest.fixture(autouse=True)
def _no_django_db() -> None:
    """This test talks to its own database through subprocesses (see the module docstring)."""
