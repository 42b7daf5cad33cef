from __future__ import annotations

import socket
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import connection
from django.utils import timezone

from enishi.ops.models import Heartbeat


def worker_name() -> str:
    return f"worker@{socket.gethostname()}"


def beat(name: str) -> None:
    Heartbeat.objects.update_or_create(name=name, defaults={"seen_at": timezone.now()})


def health() -> dict[str, Any]:
    """Database reachable, and a worker heard from within a few heartbeat intervals."""
    report: dict[str, Any] = {"database": "ok", "worker": "ok"}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as exc:  # any database error means unhealthy; say which
        report["database"] = f"error: {exc.__class__.__name__}"
        report["worker"] = "unknown"
        report["ok"] = False
        return report
    limit = timezone.now() - timedelta(seconds=settings.WORKER_HEARTBEAT_SECONDS * 4)
    latest = Heartbeat.objects.order_by("-seen_at").first()
    if latest is None:
        report["worker"] = "never seen"
    elif latest.seen_at < limit:
        report["worker"] = "stale"
    if latest is not None:
        report["worker_seen_at"] = latest.seen_at.isoformat()
    report["ok"] = report["worker"] == "ok"
    return report


def prune_old_work() -> dict[str, int]:
    """Delete what is no longer needed: finished task results (database backend) and sent emails.

    Sent emails hold personal data and links; keeping them forever helps nobody. Called by the
    worker's periodic maintenance; safe to run any number of times.
    """
    from django.core.management import call_command
    from django_tasks import task_backends
    from django_tasks_db import DatabaseBackend

    from enishi.notifications.models import OutboundEmail

    cutoff = timezone.now() - timedelta(days=settings.SENT_EMAIL_KEEP_DAYS)
    emails, _ = OutboundEmail.objects.filter(status=OutboundEmail.Status.SENT, sent_at__lt=cutoff).delete()
    if isinstance(task_backends["default"], DatabaseBackend):
        call_command("prune_db_task_results", queue_name="*", min_age_days=settings.TASK_RESULT_KEEP_DAYS, verbosity=0)
    return {"sent_emails": emails}


def refresh_query_statistics() -> bool:
    """On SQLite, let the planner refresh its table statistics (PRAGMA optimize, bounded by
    analysis_limit so it stays quick on big tables). PostgreSQL's autovacuum does this itself.

    Without statistics SQLite picks an index by its shape alone, which can mean reading a whole
    company's records where one index lookup would do (docs/PERFORMANCE.md, intake).
    """
    from django.db import connection

    if connection.vendor != "sqlite":
        return False
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA analysis_limit=1000")
        cursor.execute("PRAGMA optimize=0x10002")  # 0x10000: check every table, 0x2: analyse where it helps
    return True
