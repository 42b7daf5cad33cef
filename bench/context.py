"""What benchmarks share during one run: fresh databases, seeded databases, running servers.

Everything a benchmark creates is registered on the run's ExitStack, so servers stop and
PostgreSQL databases are dropped even when a benchmark fails. All traffic goes to 127.0.0.1.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

from bench.server import Server

POSTGRES_SERVER_URL = os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432")
DB_KINDS = ("sqlite", "postgresql")
SEED = 42
# Page benchmarks reuse the database of seed_100k when it ran; otherwise they seed this many.
PAGE_BENCH_ALUMNI = 10_000
MIGRATE_TIMEOUT_S = 600
SEED_TIMEOUT_S = 3600


class BenchError(Exception):
    """A benchmark could not run; the message says why."""


@dataclass
class Database:
    kind: str
    url: str
    alumni: int | None = None  # set once seeded


@dataclass
class Context:
    root: Path
    stack: ExitStack = field(default_factory=ExitStack)
    workdir: Path = field(init=False)
    _postgres_problem: str | None = field(default=None, init=False)
    _postgres_probed: bool = field(default=False, init=False)
    _seeded: dict[str, Database] = field(default_factory=dict, init=False)
    _servers: dict[str, Server] = field(default_factory=dict, init=False)
    _databases_made: int = field(default=0, init=False)
    # Anything benchmarks measure once and share within the run (e.g. the floor of a server).
    shared: dict[str, Any] = field(default_factory=dict, init=False)

    def __enter__(self) -> Context:
        self.workdir = Path(self.stack.enter_context(tempfile.TemporaryDirectory(prefix="enishi-bench-")))
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.stack.close()

    # --- databases ---------------------------------------------------------------------------

    def kinds(self) -> Iterator[tuple[str, str | None]]:
        """Each database kind with the reason it must be skipped (None: it can run)."""
        yield "sqlite", None
        yield "postgresql", self.postgres_problem()

    def postgres_problem(self) -> str | None:
        if not self._postgres_probed:
            self._postgres_probed = True
            try:
                self._admin_sql("SELECT 1")
            except Exception as error:
                self._postgres_problem = f"PostgreSQL at {POSTGRES_SERVER_URL} did not answer: {error}"
                print(f"  note: {self._postgres_problem} — PostgreSQL figures are skipped", flush=True)
        return self._postgres_problem

    def postgres_version(self) -> str | None:
        if self.postgres_problem() is not None:
            return None
        return str(self._admin_sql("SHOW server_version"))

    def _admin_sql(self, sql: str) -> object:
        """Run one statement on the server's maintenance database; the first value of its row, if any."""
        import psycopg

        with psycopg.connect(f"{POSTGRES_SERVER_URL}/postgres", connect_timeout=5, autocommit=True) as conn:
            cursor = conn.execute(sql)  # type: ignore[arg-type]
            row = cursor.fetchone() if cursor.description is not None else None
            return row[0] if row else None

    def fresh_database(self, kind: str) -> Database:
        self._databases_made += 1
        if kind == "sqlite":
            path = self.workdir / f"bench-{self._databases_made}.sqlite3"
            return Database(kind, f"sqlite:///{path}")
        name = f"enishi_bench_{os.getpid()}_{self._databases_made}"
        self._admin_sql(f'CREATE DATABASE "{name}"')
        self.stack.callback(self._admin_sql, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        return Database(kind, f"{POSTGRES_SERVER_URL}/{name}")

    def remember_seeded(self, database: Database, alumni: int) -> None:
        """Keep a seeded database for later benchmarks of the run, ready to serve."""
        database.alumni = alumni
        self._seeded[database.kind] = database
        if database.kind == "postgresql":
            # Autovacuum would analyse the fresh tables within minutes anyway; doing it now keeps it
            # from running during a measure, and gives the planner the statistics it would have in
            # production. SQLite has no such daemon, so it is measured as seeded.
            import psycopg

            with psycopg.connect(database.url, connect_timeout=5, autocommit=True) as conn:
                conn.execute("VACUUM ANALYZE")

    def seeded_database(self, kind: str) -> Database:
        """The seeded database of this kind from an earlier benchmark, or a new one."""
        if kind not in self._seeded:
            database = self.fresh_database(kind)
            print(f"  seeding a {kind} database with {PAGE_BENCH_ALUMNI:,} alumni", flush=True)
            self.manage(database, "migrate", "--noinput", timeout=MIGRATE_TIMEOUT_S)
            self.manage(database, "seed_demo", "--alumni", str(PAGE_BENCH_ALUMNI), "--seed", str(SEED),
                        timeout=SEED_TIMEOUT_S)  # fmt: skip
            self.remember_seeded(database, PAGE_BENCH_ALUMNI)
        return self._seeded[kind]

    # --- processes -----------------------------------------------------------------------------

    def env(self, database: Database) -> dict[str, str]:
        """The environment of every process of the run: production-like, loopback only."""
        return {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "bench.settings",
            "PYTHONPATH": str(self.root),
            "DATABASE_URL": database.url,
            "ENISHI_VAR_DIR": str(self.workdir / "var"),
            "SECRET_KEY": "bench-only-secret-key-not-for-production",
            "DEBUG": "0",
            "SECURE_SSL_REDIRECT": "0",
            "SECURE_COOKIES": "0",
            "STATIC_MANIFEST": "0",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "LOG_LEVEL": "WARNING",
            "EMAIL_BACKEND": "locmem",
        }

    def manage(self, database: Database, *args: str, timeout: float) -> str:
        command = [sys.executable, str(self.root / "manage.py"), *args]
        done = subprocess.run(command, cwd=self.root, env=self.env(database), capture_output=True, text=True,
                              timeout=timeout, check=False)  # fmt: skip
        if done.returncode != 0:
            raise BenchError(f"manage.py {' '.join(args)} failed on {database.kind}:\n{done.stderr[-3000:]}")
        return done.stdout

    def timed_manage(self, database: Database, *args: str, timeout: float) -> tuple[float, str]:
        started = time.perf_counter()
        output = self.manage(database, *args, timeout=timeout)
        return time.perf_counter() - started, output

    def server(self, database: Database) -> Server:
        """A gunicorn serving the application on `database`, started once per database."""
        if database.kind not in self._servers:
            server = Server(self.root, self.env(database), self.workdir / f"gunicorn-{database.kind}.log")
            self.stack.enter_context(server)
            self._servers[database.kind] = server
        return self._servers[database.kind]

    def session_cookie(self, database: Database, email: str) -> str:
        command = [sys.executable, "-m", "bench.make_session", email]
        done = subprocess.run(command, cwd=self.root, env=self.env(database), capture_output=True, text=True,
                              timeout=120, check=False)  # fmt: skip
        if done.returncode != 0:
            raise BenchError(f"could not create a session for {email}:\n{done.stderr[-3000:]}")
        return f"sessionid={json.loads(done.stdout)[email]}"
