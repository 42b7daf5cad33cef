"""Access helpers for intake's tenant objects: 404 for missing, forbidden and foreign alike."""

from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from enishi.intake.models import (
    AlumniInvitation,
    EmploymentRecord,
    ImportJob,
    IntakeSettings,
    JoinChannel,
    Registration,
)
from enishi.networks.access import covered_company_ids
from enishi.networks.models import Membership, Network


def get_employment_record(network: Network, record_id: int, staff: Membership | None = None) -> EmploymentRecord:
    """A record of the network; given the staff member, only within their reach (hr restricted to the
    companies they cover sees only those companies' records)."""
    return get_object_or_404(records_in_reach(network, staff).select_related("company"), pk=record_id)


def records_in_reach(network: Network, staff: Membership | None) -> QuerySet[EmploymentRecord]:
    """The network's records, limited to the companies `staff` covers when the network restricts hr."""
    records = EmploymentRecord.objects.filter(network=network)
    covered = covered_company_ids(staff) if staff is not None else None
    return records if covered is None else records.filter(company_id__in=covered)


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
