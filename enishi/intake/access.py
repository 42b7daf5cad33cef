"""Access helpers for intake's tenant objects: 404 for missing, forbidden and foreign alike."""

from __future__ import annotations

from django.shortcuts import get_object_or_404

from enishi.intake.models import (
    AlumniInvitation,
    EmploymentRecord,
    ImportJob,
    IntakeSettings,
    JoinChannel,
    Registration,
)
from enishi.networks.models import Network


def get_employment_record(network: Network, record_id: int) -> EmploymentRecord:
    return get_object_or_404(EmploymentRecord.objects.select_related("company"), network=network, pk=record_id)


def get_import_job(network: Network, job_id: int) -> ImportJob:
    return get_object_or_404(ImportJob, network=network, pk=job_id)


def get_alumni_invitation(network: Network, invitation_id: int) -> AlumniInvitation:
    return get_object_or_404(AlumniInvitation.objects.select_related("record"), network=network, pk=invitation_id)


def get_join_channel(network: Network, channel_id: int) -> JoinChannel:
    return get_object_or_404(
        JoinChannel.objects.exclude(kind=JoinChannel.Kind.REFERRAL), network=network, pk=channel_id
    )


def get_registration(network: Network, registration_id: int) -> Registration:
    registrations = Registration.objects.select_related("user", "company", "channel", "membership", "record")
    return get_object_or_404(registrations.exclude(status=Registration.Status.DRAFT), network=network,
                             pk=registration_id)  # fmt: skip


def intake_settings(network: Network) -> IntakeSettings:
    """The network's intake rules, created with the defaults on first use."""
    found, _ = IntakeSettings.objects.get_or_create(network=network)
    return found
