"""Business verbs of intake: employment records (and, later, imports, invitations, registration)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from enishi.accounts.models import User
from enishi.intake.importing import ImportResult, apply_import, check_mapping, guess_mapping, plan_import
from enishi.intake.models import AlumniInvitation, EmploymentRecord, ImportJob
from enishi.intake.tasks import run_import
from enishi.lib.errors import ActionRefused
from enishi.lib.japanese import normalise, to_hiragana
from enishi.lib.spreadsheets import Table, read_table
from enishi.networks.models import Membership, Network
from enishi.networks.roles import MembershipState, Role
from enishi.privacy.services import audit


@transaction.atomic
def save_employment_record(
    network: Network, actor: User, record: EmploymentRecord, changed: list[str], request: HttpRequest | None = None
) -> EmploymentRecord:
    """Create or update one record by hand in the console; the audit entry lists the changed fields."""
    created = record.pk is None
    record.network = network
    record.save()
    action = "employment_record.created" if created else "employment_record.changed"
    audit(network, actor, action, record, request=request, fields=sorted(changed))
    return record


EXPORT_FIELDS = (
    "employee_number", "family_name", "given_name", "family_name_kana", "given_name_kana", "department",
    "job_title", "grade", "hire_date", "leave_date", "leave_reason", "rehire_eligibility", "private_email",
    "phone", "birth_date", "hr_notes",
)  # fmt: skip


def export_rows(records: QuerySet[EmploymentRecord]) -> tuple[list[str], list[list[object]]]:
    """Headers (in the reader's language) and rows of an HR export, company first."""
    labels = [str(EmploymentRecord._meta.get_field(name).verbose_name) for name in EXPORT_FIELDS]  # type: ignore[union-attr]
    headers = [str(_("company")), *labels]
    rows = [
        [record.company.name_ja, *[getattr(record, name) for name in EXPORT_FIELDS]]
        for record in records.select_related("company").iterator(chunk_size=2000)
    ]
    return headers, rows


def search_records(network: Network, query: str) -> QuerySet[EmploymentRecord]:
    """Records whose name (kanji), reading (kana, any width) or employee number contains `query`."""
    records = EmploymentRecord.objects.filter(network=network)
    text = normalise(query)
    if not text:
        return records
    reading = to_hiragana(text)
    katakana = "".join(chr(ord(c) + 0x60) if "ぁ" <= c <= "ゖ" else c for c in reading)
    condition = Q(employee_number__icontains=text) | Q(private_email__icontains=text)
    for part in {text, reading, katakana}:
        condition |= (
            Q(family_name__contains=part)
            | Q(given_name__contains=part)
            | Q(family_name_kana__contains=part)
            | Q(given_name_kana__contains=part)
        )
    return records.filter(condition)


def read_import_file(job: ImportJob) -> Table:
    with job.file.open("rb") as handle:
        return read_table(handle, job.filename, max_bytes=settings.IMPORT_MAX_BYTES, max_rows=settings.IMPORT_MAX_ROWS)


@transaction.atomic
def upload_import(network: Network, actor: User, upload: UploadedFile) -> ImportJob:
    """Check an HR file and keep it for review. A broken file raises ValidationError and keeps nothing."""
    table = read_table(upload, upload.name or "", max_bytes=settings.IMPORT_MAX_BYTES,
                       max_rows=settings.IMPORT_MAX_ROWS)  # fmt: skip
    upload.seek(0)
    job = ImportJob(network=network, uploaded_by=actor, filename=(upload.name or "import")[:255], headers=table.headers)
    job.mapping = {str(index): name for index, name in remembered_mapping(network, table.headers).items()}
    job.file.save(f"{uuid.uuid4().hex}-{job.filename}"[:100], upload, save=False)
    job.save()
    return job


def remembered_mapping(network: Network, headers: list[str]) -> dict[int, str]:
    """The mapping staff last chose for a file with these headers, else a guess from the headers."""
    previous = ImportJob.objects.filter(network=network, headers=headers).exclude(mapping={}).first()
    return previous.column_mapping if previous is not None else guess_mapping(headers)


def change_import_mapping(job: ImportJob, mapping: dict[int, str]) -> None:
    check_mapping(mapping)
    job.mapping = {str(index): name for index, name in mapping.items()}
    job.save(update_fields=["mapping"])


def start_import(job: ImportJob, actor: User, request: HttpRequest | None = None) -> ImportResult | None:
    """Import a reviewed file: small files at once (returns the result), large ones in the background
    (returns None; the page follows the job's progress)."""
    if job.status in (ImportJob.Status.QUEUED, ImportJob.Status.RUNNING):
        return None
    rows = len(read_import_file(job).rows)
    if rows <= settings.IMPORT_INLINE_ROWS:
        return apply_import_job(job, actor, request=request)
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.QUEUED, total_rows=rows, processed_rows=0, error=""
    )
    transaction.on_commit(lambda: run_import.enqueue(job.network_id, job.pk, actor.pk), robust=True)
    return None


def apply_import_job(job: ImportJob, actor: User, request: HttpRequest | None = None) -> ImportResult:
    """Import a reviewed file now. Applying the same job twice changes nothing the second time."""
    network = job.network
    plan = plan_import(network, read_import_file(job), job.column_mapping)
    result = apply_import(network, actor, plan, request=request)
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.APPLIED, applied_at=timezone.now(), created=result.created,
        updated=result.updated, unchanged=result.unchanged, skipped=result.skipped,
        total_rows=len(plan.outcomes), processed_rows=len(plan.outcomes),
    )  # fmt: skip
    return result


@transaction.atomic
def invite_leaver(
    network: Network, actor: User, record: EmploymentRecord, email: str = "", request: HttpRequest | None = None
) -> AlumniInvitation:
    """Invite the person of an employment record by email (their private address unless given)."""
    from enishi.notifications import emails

    address = (email or record.private_email).strip().lower()
    if not address:
        raise ActionRefused(gettext("This record has no private email address. Add one, then invite."))
    if record.membership_id is not None:
        raise ActionRefused(gettext("This person is already registered."))
    # One open invitation per record: a new one replaces the old link.
    AlumniInvitation.objects.filter(network=network, record=record, accepted_at__isnull=True,
                                    revoked_at__isnull=True).update(revoked_at=timezone.now())  # fmt: skip
    invitation = AlumniInvitation.objects.create(network=network, record=record, email=address, invited_by=actor)
    audit(network, actor, "alumni.invited", record, request=request)
    emails.alumni_invitation(invitation)
    return invitation


@transaction.atomic
def accept_alumni_invitation(
    invitation: AlumniInvitation, user: User, request: HttpRequest | None = None
) -> Membership:
    """Register the invited person: an active alumnus linked to the record, pre-verified by the link."""
    invitation = AlumniInvitation.objects.select_for_update().select_related("network", "record").get(pk=invitation.pk)
    if not invitation.is_open:
        raise ActionRefused(
            gettext("This invitation has expired or has already been used. Ask the secretariat for a new one.")
        )
    network, record = invitation.network, invitation.record
    membership = Membership.objects.filter(network=network, user=user).first()
    if membership is not None and membership.state != MembershipState.LEFT:
        raise ActionRefused(gettext("You are already a member of this network."))
    if membership is None:
        membership = Membership(network=network, user=user)
    membership.role, membership.state, membership.activated_at = Role.ALUMNUS, MembershipState.ACTIVE, timezone.now()
    membership.save()
    record.membership = membership
    record.save(update_fields=["membership", "updated_at"])
    if not user.family_name:  # the account takes the names HR knows, until the person edits them
        user.family_name, user.given_name = record.family_name, record.given_name
        user.family_name_kana, user.given_name_kana = record.family_name_kana, record.given_name_kana
        user.save()
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    audit(network, user, "alumni.registered", membership, request=request, via="personal_invitation")
    return membership
