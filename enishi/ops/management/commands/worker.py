"""Run the background worker of the configured task backend, with a heartbeat for /healthz."""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import close_old_connections

from enishi.notifications.tasks import requeue_undelivered_emails
from enishi.ops.services import beat, prune_old_work, worker_name

logger = logging.getLogger("enishi.worker")

MAINTENANCE_EVERY_BEATS = 20


def heartbeat_loop(stop: threading.Event) -> None:
    name = worker_name()
    beats = 0
    while not stop.is_set():
        try:
            beat(name)
            if beats % MAINTENANCE_EVERY_BEATS == 0:
                requeue_undelivered_emails()
                prune_old_work()
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
