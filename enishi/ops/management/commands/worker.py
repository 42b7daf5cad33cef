"""Run the background worker of the configured task backend, with a heartbeat for /healthz."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import close_old_connections

from enishi.analytics.rollups import refresh_due as refresh_rollups
from enishi.community.tasks import announce_due_news
from enishi.events.tasks import send_event_reminders
from enishi.intake.services import send_automatic_invitations, send_due_reminders
from enishi.newsletters.services import newsletter_maintenance
from enishi.notifications.services import prune_old_notifications, send_digests
from enishi.notifications.tasks import requeue_undelivered_emails
from enishi.ops.services import beat, prune_old_work, refresh_query_statistics, worker_name
from enishi.profiles.services import send_checkins
from enishi.surveys.services import survey_maintenance

logger = logging.getLogger("enishi.worker")

MAINTENANCE_EVERY_BEATS = 20


# Periodic jobs, in order. Each is idempotent and safe to run on several workers at once.
MAINTENANCE_JOBS: tuple[Callable[[], object], ...] = (
    requeue_undelivered_emails,
    prune_old_work,
    send_due_reminders,
    send_automatic_invitations,
    refresh_query_statistics,
    send_checkins,
    send_digests,
    prune_old_notifications,
    announce_due_news,
    newsletter_maintenance,
    send_event_reminders,
    survey_maintenance,
    refresh_rollups,
)


def run_maintenance() -> None:
    """Run every maintenance job; one that fails does not keep the others from running."""
    for job in MAINTENANCE_JOBS:
        try:
            job()
        except Exception:
            logger.exception("maintenance job failed", extra={"job": job.__name__})


def heartbeat_loop(stop: threading.Event) -> None:
    name = worker_name()
    beats = 0
    while not stop.is_set():
        try:
            beat(name)
            if beats % MAINTENANCE_EVERY_BEATS == 0:
                run_maintenance()
        except Exception:  # keep beating through a passing database error
            logger.exception("heartbeat failed")
        finally:
            close_old_connections()
        beats += 1
        stop.wait(settings.WORKER_HEARTBEAT_SECONDS)


class Command(BaseCommand):
    help = "Run the background worker (django-tasks-db, or RQ when TASK_BACKEND=rq)."

    def handle(self, *args: Any, **options: Any) -> None:
        stop = threading.Event()
        thread = threading.Thread(target=heartbeat_loop, args=(stop,), daemon=True)
        thread.start()
        try:
            if settings.TASK_BACKEND == "rq":
                call_command("rqworker", "default", "email", job_class="django_tasks_rq.Job", with_scheduler=True)
            else:
                call_command("db_worker", queue_name="*", interval=1)
        finally:
            stop.set()
            time.sleep(0)
