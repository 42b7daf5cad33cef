from __future__ import annotations

import logging

from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from django_scopes import scope
from django_tasks import task

from enishi.accounts.models import User
from enishi.intake.importing import apply_import, plan_import
from enishi.intake.models import ImportJob
from enishi.networks.models import Network

logger = logging.getLogger(__name__)


@task()
def run_import(network_id: int, job_id: int, actor_id: int | None) -> str:
    """Import a reviewed HR file in the background, inside the network's scope.

    Idempotent: only the run that claims the job (queued → running) imports, and an import of
    rows already in the database writes nothing anyway.
    """
    network = Network.objects.get(pk=network_id)
    with scope(network=network):
        claimed = ImportJob.objects.filter(network=network, pk=job_id, status=ImportJob.Status.QUEUED).update(
            status=ImportJob.Status.RUNNING, processed_rows=0
        )
        if not claimed:
            return "skipped"
        return _import(network, ImportJob.objects.get(network=network, pk=job_id), actor_id)


def _import(network: Network, job: ImportJob, actor_id: int | None) -> str:
    from enishi.intake.services import read_import_file

    actor = User.objects.filter(pk=actor_id).first() if actor_id is not None else None
    jobs = ImportJob.objects.filter(network=network, pk=job.pk)
    try:
        plan = plan_import(network, read_import_file(job), job.column_mapping)
        result = apply_import(network, actor, plan, progress=lambda done, total: _progress(jobs, done, total))
    except Exception as exc:  # the job must end in a state the page can show, whatever failed
        logger.exception("import failed", extra={"job_id": job.pk})
        jobs.update(status=ImportJob.Status.FAILED, error=str(exc)[:2000])
        return "failed"
    jobs.update(
        status=ImportJob.Status.APPLIED, applied_at=timezone.now(), created=result.created, updated=result.updated,
        unchanged=result.unchanged, skipped=result.skipped, processed_rows=F("total_rows"),
    )  # fmt: skip
    return "applied"


def _progress(jobs: QuerySet[ImportJob], done: int, total: int) -> None:
    # Its own small transaction, so the page sees it while the import goes on.
    with transaction.atomic():
        jobs.update(processed_rows=done, total_rows=total)


@task()
def send_invitations(network_id: int, record_ids: list[int], actor_id: int | None) -> str:
    """Email invitations to a batch of a selection, inside the network's scope.

    Idempotent: each record is checked again under a row lock (not registered, no live invitation,
    eligible), so a duplicated or retried batch sends nothing twice.
    """
    from enishi.intake.services import send_selected_invitations

    network = Network.objects.get(pk=network_id)
    actor = User.objects.filter(pk=actor_id).first() if actor_id is not None else None
    with scope(network=network):
        sent = send_selected_invitations(network, actor, record_ids)
    return f"sent {sent}"
