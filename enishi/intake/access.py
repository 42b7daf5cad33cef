"""Access helpers for intake's tenant objects: 404 for missing, forbidden and foreign alike."""

from __future__ import annotations

from django.shortcuts import get_object_or_404

from enishi.intake.models import EmploymentRecord, ImportJob
from enishi.networks.models import Network


def get_employment_record(network: Network, record_id: int) -> EmploymentRecord:
    return get_object_or_404(EmploymentRecord.objects.select_related("company"), network=network, pk=record_id)


def get_import_job(network: Network, job_id: int) -> ImportJob:
    return get_object_or_404(ImportJob, network=network, pk=job_id)
