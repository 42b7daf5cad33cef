"""/healthz, the worker's heartbeat, and the two task backends running real work."""

from __future__ import annotations

import json
import logging
import os
import signal
import threading
from collections.abc import Iterator
from datetime import timedelta
from io import StringIO
from typing import Any

import django_rq
import pytest
import redis
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.db.utils import OperationalError
from django.test import Client
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult
from pytest_django import DjangoAssertNumQueries, Settings
from rq.worker import SimpleWorker

from enishi.notifications.models import OutboundEmail
from enishi.notifications.services import queue_rendered_email
from enishi.notifications.tasks import deliver_email
from enishi.ops.management.commands import worker as worker_command
from enishi.ops.management.commands.worker import heartbeat_loop
from enishi.ops.models import Heartbeat
from enishi.ops.services import beat, health, worker_name

HEARTBEAT_SECONDS = 15
DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "email"]}}
RQ_TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default", "email"]}}
# Database 15 of the machine's Redis belongs to this test: flushed before and after, nothing else touched.
REDIS_TEST_URL = "redis://127.0.0.1:6379/15"
DELIVER_EMAIL_PATH = "enishi.notifications.tasks.deliver_email"


def get_healthz() -> tuple[int, dict[str, Any]]:
    response = Client().get("/healthz")
    assert response["Content-Type"] == "application/json"
    return response.status_code, json.loads(response.content)


def queue_test_email() -> OutboundEmail:
    """Queue an email in a committed transaction, as a service would: delivery is enqueued on commit."""
    with transaction.atomic():
        email = queue_rendered_email(
            kind="test-message", to="someone@example.jp", language="ja", subject="件名", text_body="本文"
        )
        assert OutboundEmail.objects.filter(pk=email.pk).count() == 1
    return email


class StopAfterBeats(threading.Event):
    """A stop event that lets `heartbeat_loop` run a given number of beats, then stops it."""

    def __init__(self, beats: int) -> None:
        super().__init__()
        self.beats = beats
        self.waits: list[float | None] = []

    def wait(self, timeout: float | None = None) -> bool:
        self.waits.append(timeout)
        if len(self.waits) >= self.beats:
            self.set()
        return self.is_set()


@pytest.fixture
def heartbeat_seconds(settings: Settings) -> int:
    settings.WORKER_HEARTBEAT_SECONDS = HEARTBEAT_SECONDS
    return HEARTBEAT_SECONDS


@pytest.fixture
def restore_signal_handlers() -> Iterator[None]:
    """Workers install their own SIGINT/SIGTERM handlers; give pytest its own back."""
    signals = [signal.SIGINT, signal.SIGTERM, signal.SIGQUIT]
    saved = {number: signal.getsignal(number) for number in signals}
    yield
    for number, handler in saved.items():
        signal.signal(number, handler)


@pytest.fixture
def redis_db() -> Iterator[redis.Redis]:
    client = redis.Redis.from_url(REDIS_TEST_URL, socket_connect_timeout=2, socket_timeout=5)
    try:
        client.ping()
    except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError) as exc:
        reason = f"Redis is not reachable at {REDIS_TEST_URL} ({exc}); start redis-server to run the RQ backend test"
        if os.environ.get("ENISHI_REQUIRE_REDIS") == "1":
            pytest.fail(f"ENISHI_REQUIRE_REDIS=1 but {reason}")
        pytest.skip(reason)
    client.flushdb()
    try:
        yield client
    finally:
        client.flushdb()
        client.close()


# --- /healthz ------------------------------------------------------------------------------


def test_it_reports_a_worker_never_seen(db: None, django_assert_num_queries: DjangoAssertNumQueries) -> None:
    with django_assert_num_queries(2):
        status, report = get_healthz()

    assert status == 503
    assert report == {"database": "ok", "worker": "never seen", "ok": False}


def test_it_reports_healthy_after_a_heartbeat(db: None, heartbeat_seconds: int) -> None:
    beat("worker@test")
    seen_at = Heartbeat.objects.get(name="worker@test").seen_at

    status, report = get_healthz()

    assert status == 200
    assert report == {"database": "ok", "worker": "ok", "worker_seen_at": seen_at.isoformat(), "ok": True}


def test_it_reports_a_stale_worker_after_four_missed_intervals(db: None, heartbeat_seconds: int) -> None:
    beat("worker@test")
    limit = timedelta(seconds=4 * heartbeat_seconds)
    just_stale = timezone.now() - limit - timedelta(seconds=2)
    Heartbeat.objects.filter(name="worker@test").update(seen_at=just_stale)

    status, report = get_healthz()

    assert status == 503
    assert report == {"database": "ok", "worker": "stale", "worker_seen_at": just_stale.isoformat(), "ok": False}

    still_fresh = timezone.now() - limit + timedelta(seconds=10)
    Heartbeat.objects.filter(name="worker@test").update(seen_at=still_fresh)
    status, report = get_healthz()
    assert (status, report["worker"], report["ok"]) == (200, "ok", True)


def test_it_trusts_the_most_recent_of_several_workers(db: None, heartbeat_seconds: int) -> None:
    beat("worker@old-host")
    beat("worker@new-host")
    Heartbeat.objects.filter(name="worker@old-host").update(seen_at=timezone.now() - timedelta(days=3))

    status, report = get_healthz()

    assert (status, report["worker"]) == (200, "ok")
    assert report["worker_seen_at"] == Heartbeat.objects.get(name="worker@new-host").seen_at.isoformat()


def test_it_reports_an_unreachable_database(monkeypatch: pytest.MonkeyPatch) -> None:
    class BrokenConnection:
        def cursor(self) -> Any:
            raise OperationalError("could not connect to server")

    monkeypatch.setattr("enishi.ops.services.connection", BrokenConnection())

    status, report = get_healthz()

    assert status == 503
    assert report == {"database": "error: OperationalError", "worker": "unknown", "ok": False}


def test_it_answers_anonymous_probes_over_plain_http_without_caching(db: None, settings: Settings) -> None:
    settings.SECURE_SSL_REDIRECT = True
    client = Client()

    response = client.get("/healthz")

    assert response.status_code == 503  # the report itself, not a redirect to https or to the login page
    assert json.loads(response.content)["database"] == "ok"
    assert response["Cache-Control"] == "max-age=0, no-cache, no-store, must-revalidate, private"
    # The redirect is really on: any other page over plain http is sent to https.
    other = client.get("/accounts/login/")
    assert (other.status_code, other["Location"]) == (301, "https://testserver/accounts/login/")


# --- the worker command's heartbeat ------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_it_beats_and_requeues_failed_emails_on_the_first_beat(
    heartbeat_seconds: int, mailoutbox: list[mail.EmailMessage]
) -> None:
    failed = OutboundEmail.objects.create(
        kind="test-message", to="someone@example.jp", language="ja", subject="件名", text_body="本文",
        status=OutboundEmail.Status.FAILED, attempts=1, error="Connection refused",
    )  # fmt: skip
    stop = StopAfterBeats(1)

    heartbeat_loop(stop)

    heartbeat = Heartbeat.objects.get()
    assert heartbeat.name == worker_name()
    assert timezone.now() - heartbeat.seen_at < timedelta(seconds=10)
    assert stop.waits == [heartbeat_seconds]
    assert len(mailoutbox) == 1
    failed.refresh_from_db()
    assert (failed.status, failed.attempts) == (OutboundEmail.Status.SENT, 2)
    assert health()["ok"] is True


@pytest.mark.django_db(transaction=True)
def test_it_keeps_beating_through_a_passing_database_error(
    heartbeat_seconds: int, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    calls: list[str] = []

    def beat_failing_once(name: str) -> None:
        calls.append(name)
        if len(calls) == 1:
            raise OperationalError("database is locked")
        beat(name)

    monkeypatch.setattr(worker_command, "beat", beat_failing_once)
    stop = StopAfterBeats(2)

    with caplog.at_level(logging.ERROR, logger="enishi.worker"):
        heartbeat_loop(stop)

    assert calls == [worker_name(), worker_name()]
    assert [record.getMessage() for record in caplog.records if record.name == "enishi.worker"] == ["heartbeat failed"]
    assert Heartbeat.objects.filter(name=worker_name()).count() == 1
    assert stop.waits == [heartbeat_seconds, heartbeat_seconds]


@pytest.mark.parametrize(
    ("backend", "expected_call"),
    [
        ("db", (("db_worker",), {"queue_name": "*", "interval": 1})),
        ("rq", (("rqworker", "default", "email"), {"job_class": "django_tasks_rq.Job", "with_scheduler": True})),
    ],
)
def test_it_runs_the_configured_worker_beside_the_heartbeat_and_stops_both(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, backend: str, expected_call: tuple[Any, ...]
) -> None:
    settings.TASK_BACKEND = backend
    loop_started = threading.Event()
    loop_stopped = threading.Event()
    worker_calls: list[tuple[Any, ...]] = []

    def fake_heartbeat_loop(stop: threading.Event) -> None:
        loop_started.set()
        if stop.wait(10):
            loop_stopped.set()

    def fake_call_command(*args: Any, **kwargs: Any) -> None:
        assert loop_started.wait(5), "the heartbeat must be running while the worker works"
        worker_calls.append((args, kwargs))
        raise KeyboardInterrupt  # the operator stops the worker

    monkeypatch.setattr(worker_command, "heartbeat_loop", fake_heartbeat_loop)
    monkeypatch.setattr(worker_command, "call_command", fake_call_command)

    with pytest.raises(KeyboardInterrupt):
        call_command("worker")

    assert worker_calls == [expected_call]
    assert loop_stopped.wait(5)


# --- the task backends running a real worker -----------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_it_delivers_through_the_database_worker_once_even_if_enqueued_twice(
    settings: Settings, mailoutbox: list[mail.EmailMessage], restore_signal_handlers: None
) -> None:
    settings.TASKS = DB_TASKS
    email = queue_test_email()

    first = DBTaskResult.objects.get()
    assert (first.status, first.queue_name, first.task_path) == (TaskResultStatus.READY, "email", DELIVER_EMAIL_PATH)
    assert first.args_kwargs == {"args": [email.pk], "kwargs": {}}
    email.refresh_from_db()
    assert (email.status, email.attempts) == (OutboundEmail.Status.QUEUED, 0)
    assert mailoutbox == []
    deliver_email.enqueue(email.pk)  # a duplicate, as a retry or a second requeue would make
    assert DBTaskResult.objects.ready().count() == 2

    call_command(
        "db_worker", queue_name="*", batch=True, interval=0, startup_delay=False, reload=False,
        verbosity=0, stdout=StringIO(),
    )  # fmt: skip

    assert [message.to for message in mailoutbox] == [["someone@example.jp"]]
    assert mailoutbox[0].subject == "件名"
    email.refresh_from_db()
    assert (email.status, email.attempts, email.error) == (OutboundEmail.Status.SENT, 1, "")
    results = DBTaskResult.objects.order_by("enqueued_at")
    assert [(result.status, result.return_value) for result in results] == [
        (TaskResultStatus.SUCCESSFUL, "sent"),
        (TaskResultStatus.SUCCESSFUL, "skipped"),
    ]


@pytest.mark.django_db(transaction=True)
def test_it_delivers_through_the_rq_worker_on_redis_once_even_if_enqueued_twice(
    settings: Settings, redis_db: redis.Redis, mailoutbox: list[mail.EmailMessage], restore_signal_handlers: None
) -> None:
    settings.TASKS = RQ_TASKS
    settings.RQ_QUEUES = {name: {"URL": REDIS_TEST_URL} for name in ("default", "email")}
    email = queue_test_email()

    queue = django_rq.get_queue("email")
    assert queue.count == 1
    job = queue.jobs[0]
    assert (job.func_name, list(job.args)) == (DELIVER_EMAIL_PATH, [email.pk])
    assert django_rq.get_queue("default").count == 0
    email.refresh_from_db()
    assert (email.status, email.attempts) == (OutboundEmail.Status.QUEUED, 0)
    duplicate = deliver_email.enqueue(email.pk)
    assert queue.count == 2

    # SimpleWorker runs jobs in this process (no fork), so it sees the test database.
    worker = django_rq.get_worker("default", "email", job_class="django_tasks_rq.Job", worker_class=SimpleWorker)
    assert worker.work(burst=True, logging_level="WARNING") is True

    assert [message.to for message in mailoutbox] == [["someone@example.jp"]]
    email.refresh_from_db()
    assert (email.status, email.attempts, email.error) == (OutboundEmail.Status.SENT, 1, "")
    assert queue.count == 0
    results = [deliver_email.get_result(job.id), deliver_email.get_result(duplicate.id)]
    assert [(result.status, result.return_value) for result in results] == [
        (TaskResultStatus.SUCCESSFUL, "sent"),
        (TaskResultStatus.SUCCESSFUL, "skipped"),
    ]


def test_it_prunes_sent_emails_and_old_task_results_only(db: None, settings: Any) -> None:
    from enishi.notifications.models import OutboundEmail
    from enishi.ops.services import prune_old_work

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "email"]}}
    now = timezone.now()

    def email(status: str, sent_days_ago: int | None) -> OutboundEmail:
        sent_at = now - timedelta(days=sent_days_ago) if sent_days_ago is not None else None
        return OutboundEmail.objects.create(
            kind="k", to="a@example.jp", language="ja", subject="s", text_body="b", status=status, sent_at=sent_at
        )

    old_sent, recent_sent, old_failed = email("sent", 31), email("sent", 29), email("failed", None)

    assert prune_old_work() == {"sent_emails": 1}

    assert set(OutboundEmail.objects.values_list("pk", flat=True)) == {recent_sent.pk, old_failed.pk}
    assert not OutboundEmail.objects.filter(pk=old_sent.pk).exists()


def test_it_refreshes_the_query_statistics_of_sqlite(db: None) -> None:
    from django.db import connection

    from enishi.ops.services import refresh_query_statistics

    assert refresh_query_statistics() is (connection.vendor == "sqlite")  # PostgreSQL: autovacuum's job


def test_the_worker_refreshes_statistics_in_its_maintenance() -> None:
    from enishi.ops.management.commands.worker import MAINTENANCE_JOBS
    from enishi.ops.services import refresh_query_statistics

    assert refresh_query_statistics in MAINTENANCE_JOBS
