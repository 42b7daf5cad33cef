"""Business verbs of intake: employment records, imports, personal invitations (by email and on
flyers, to one record or a selection; reminders, automatic invitations, bounces) and join links."""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import partial
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import models, transaction
from django.db.models import Case, CharField, Count, Exists, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_scopes import scope

from enishi.accounts.models import User
from enishi.intake.access import intake_settings
from enishi.intake.importing import ImportResult, apply_import, check_mapping, guess_mapping, plan_import
from enishi.intake.models import (
    AlumniInvitation,
    EmploymentRecord,
    ImportJob,
    IntakeSettings,
    InvitationStatus,
    JoinChannel,
    Registration,
    default_alumni_invitation_expiry,
)
from enishi.intake.registration import eligibility_problems
from enishi.intake.tasks import run_import
from enishi.lib.errors import ActionRefused
from enishi.lib.japanese import normalise, to_hiragana
from enishi.lib.spreadsheets import Table, read_table
from enishi.networks.models import Company, Membership, Network
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
    if record.membership_id is not None:
        from enishi.directory.indexing import reindex_members

        reindex_members(network, [record.membership_id])  # directory facets and matching follow
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
    headers = [str(_("company")), *labels, str(_("invitation status"))]
    if "invitation_status" not in records.query.annotations:
        records = with_invitation_status(records)
    status_labels = {value: str(label) for value, label in InvitationStatus.choices}
    rows = [
        [record.company.name_ja, *[getattr(record, name) for name in EXPORT_FIELDS],
         status_labels[record.invitation_status]]  # type: ignore[attr-defined]
        for record in records.select_related("company").iterator(chunk_size=2000)
    ]  # fmt: skip
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
    network: Network,
    actor: User | None,
    record: EmploymentRecord,
    email: str = "",
    request: HttpRequest | None = None,
    *,
    automatic: bool = False,
) -> AlumniInvitation:
    """Invite the person of an employment record by email (their private address unless given).

    `actor` None with `automatic`: sent by the worker N days after the leave date.
    """
    from enishi.notifications import emails

    address = (email or record.private_email).strip().lower()
    if not address:
        raise ActionRefused(gettext("This record has no private email address. Add one, then invite."))
    if record.membership_id is not None:
        raise ActionRefused(gettext("This person is already registered."))
    _close_open_invitations(network, record)
    invitation = AlumniInvitation.objects.create(
        network=network, record=record, email=address, invited_by=actor, automatic=automatic
    )
    details = {"automatic": True} if automatic else {}
    audit(network, actor, "alumni.invited", record, request=request, invitation=invitation.pk, **details)
    emails.alumni_invitation(invitation)
    return invitation


def _close_open_invitations(network: Network, record: EmploymentRecord) -> None:
    # One open invitation per record: a new one replaces the old link.
    AlumniInvitation.objects.filter(network=network, record=record, accepted_at__isnull=True,
                                    revoked_at__isnull=True).update(revoked_at=timezone.now())  # fmt: skip


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


# --- Invitation status -----------------------------------------------------------------------------


def live_invitations(network: Network) -> QuerySet[AlumniInvitation]:
    """Invitations whose link still works and that did not bounce: a record with one needs no other."""
    return AlumniInvitation.objects.filter(
        network=network, accepted_at__isnull=True, revoked_at__isnull=True, bounced_at__isnull=True,
        expires_at__gt=timezone.now(),
    )  # fmt: skip


def with_invitation_status(records: QuerySet[EmploymentRecord]) -> QuerySet[EmploymentRecord]:
    """Annotate `invitation_status` (an InvitationStatus value) in the same query, whatever the rows:
    registered if the record has a member, else the state of its latest invitation, else not invited.

    The latest invitation's state mirrors AlumniInvitation.status; a link already used by a member who
    has since gone counts as expired, since it no longer works.
    """
    latest = AlumniInvitation.objects.filter(network_id=OuterRef("network_id"), record_id=OuterRef("pk"))
    state = Case(
        When(bounced_at__isnull=False, accepted_at__isnull=True, then=Value(InvitationStatus.BOUNCED)),
        When(
            Q(accepted_at__isnull=False) | Q(revoked_at__isnull=False) | Q(expires_at__lte=timezone.now()),
            then=Value(InvitationStatus.EXPIRED),
        ),
        When(opened_at__isnull=False, then=Value(InvitationStatus.OPENED)),
        default=Value(InvitationStatus.INVITED),
        output_field=CharField(),
    )
    latest_state = latest.order_by("-created_at", "-pk").annotate(state=state).values("state")[:1]
    return records.annotate(
        invitation_status=Case(
            When(membership__isnull=False, then=Value(InvitationStatus.REGISTERED)),
            default=Coalesce(Subquery(latest_state), Value(InvitationStatus.NOT_INVITED)),
            output_field=CharField(),
        )
    )


def filter_by_invitation_status(records: QuerySet[EmploymentRecord], status: str) -> QuerySet[EmploymentRecord]:
    """Records (annotated by with_invitation_status) in one InvitationStatus; all of them for ""."""
    return records.filter(Q(invitation_status=status)) if status else records


# --- Invitations to a selection of records ---------------------------------------------------------

# Up to this many emails are sent during the request; more go to the worker, in batches.
INLINE_INVITATIONS = 50
INVITATION_BATCH_SIZE = 200
# Flyers prepared by one click: a print run a secretariat can handle (and a page a browser can render).
FLYER_BATCH_LIMIT = 500
SELECTION_PREVIEW_ROWS = 50


class SelectionStatus(models.TextChoices):
    """The invitation states HR selects leavers by on the invitation page."""

    NOT_INVITED = "not_invited", _("Not invited yet")
    INVITED_NOT_REGISTERED = "invited_not_registered", _("Invited, not registered")
    NOT_REGISTERED = "not_registered", _("Not registered (any)")
    BOUNCED = "bounced", _("Invitation bounced")


class Outcome(models.TextChoices):
    """What sending invitations by email does with one selected record."""

    SEND = "send", _("Will be invited")
    REGISTERED = "registered", _("Left out: already registered")
    NOT_ELIGIBLE = "not_eligible", _("Left out: outside the eligibility rules")
    ALREADY_INVITED = "already_invited", _("Left out: invitation still open")
    NO_EMAIL = "no_email", _("Left out: no private email")
    BOUNCED_ADDRESS = "bounced_address", _("Left out: this address bounced before")


@dataclass
class SelectedRecord:
    record: EmploymentRecord
    outcome: str  # an Outcome value
    flyer: bool  # a flyer can be printed for this record

    @property
    def outcome_label(self) -> str:
        return str(Outcome(self.outcome).label)


@dataclass
class Selection:
    """The records under the invitation page's filters, counted by what sending would do with them."""

    total: int = 0
    with_email: int = 0
    without_email: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)
    email_ids: list[int] = field(default_factory=list)
    flyer_ids: list[int] = field(default_factory=list)
    preview: list[SelectedRecord] = field(default_factory=list)

    def count(self, outcome: str) -> int:
        return self.outcomes[outcome]


def select_records(
    network: Network,
    *,
    company: Company | None = None,
    leave_year: int | None = None,
    department: str = "",
    status: str = "",
) -> QuerySet[EmploymentRecord]:
    """The network's records under the invitation page's filters, in reading order, status annotated."""
    records = with_invitation_status(EmploymentRecord.objects.filter(network=network))
    if company is not None:
        records = records.filter(company=company)
    if leave_year:
        records = records.filter(leave_date__year=leave_year)
    if department.strip():
        records = records.filter(department__icontains=normalise(department))
    if status == SelectionStatus.INVITED_NOT_REGISTERED:
        records = records.filter(membership__isnull=True).exclude(Q(invitation_status=InvitationStatus.NOT_INVITED))
    elif status == SelectionStatus.NOT_REGISTERED:
        records = records.filter(membership__isnull=True)
    elif status:
        records = filter_by_invitation_status(records, status)
    return records.order_by("family_name_kana", "given_name_kana", "employee_number", "pk")


def _with_invitation_facts(network: Network, records: QuerySet[EmploymentRecord]) -> QuerySet[EmploymentRecord]:
    """Annotate what decides whether a record gets an invitation: a live link, an address that bounced."""
    bounced = AlumniInvitation.objects.filter(
        network=network, record_id=OuterRef("pk"), bounced_at__isnull=False, email__iexact=OuterRef("private_email")
    )
    return records.annotate(
        has_live_invitation=Exists(live_invitations(network).filter(record_id=OuterRef("pk"))),
        address_bounced=Exists(bounced),
    )


def email_outcome(rules: IntakeSettings, record: EmploymentRecord, today: date) -> str:
    """Whether sending invitations by email reaches this record (annotated by _with_invitation_facts)."""
    if record.membership_id is not None:
        return Outcome.REGISTERED
    if eligibility_problems(rules, record, today):
        return Outcome.NOT_ELIGIBLE
    if record.has_live_invitation:  # type: ignore[attr-defined]
        return Outcome.ALREADY_INVITED
    if not record.private_email:
        return Outcome.NO_EMAIL
    if record.address_bounced:  # type: ignore[attr-defined]
        return Outcome.BOUNCED_ADDRESS
    return Outcome.SEND


def flyer_possible(rules: IntakeSettings, record: EmploymentRecord, today: date) -> bool:
    """Whether a flyer can be printed for this record in a batch.

    A flyer is handed over at the resignation interview, before the leave date: the rules are
    checked as of the leave date (a record without one is left out, as for email).
    """
    if record.membership_id is not None or record.has_live_invitation:  # type: ignore[attr-defined]
        return False
    as_of = max(today, record.leave_date) if record.leave_date else today
    return not eligibility_problems(rules, record, as_of)


def assess_selection(network: Network, records: QuerySet[EmploymentRecord]) -> Selection:
    """Count a selection by what an email send and a flyer print would do, and keep the first rows."""
    rules = intake_settings(network)
    today = timezone.localdate()
    selection = Selection()
    for record in _with_invitation_facts(network, records).select_related("company").iterator(chunk_size=2000):
        selection.total += 1
        if record.private_email:
            selection.with_email += 1
        else:
            selection.without_email += 1
        outcome = email_outcome(rules, record, today)
        selection.outcomes[outcome] += 1
        if outcome == Outcome.SEND:
            selection.email_ids.append(record.pk)
        flyer = flyer_possible(rules, record, today)
        if flyer:
            selection.flyer_ids.append(record.pk)
        if len(selection.preview) < SELECTION_PREVIEW_ROWS:
            selection.preview.append(SelectedRecord(record=record, outcome=outcome, flyer=flyer))
    return selection


def start_selected_invitations(
    network: Network, actor: User, record_ids: list[int], request: HttpRequest | None = None, query: str = ""
) -> tuple[int, int]:
    """Invite by email the records of a selection: at once when few, else in the worker, in batches.

    Returns (sent now, queued for the worker). Each record is checked again just before its email,
    so sending a selection twice sends nothing the second time.
    """
    from enishi.intake.tasks import send_invitations

    audit(network, actor, "alumni.invitations_sent", request=request, records=len(record_ids),
          background=len(record_ids) > INLINE_INVITATIONS, query=query[:300])  # fmt: skip
    if len(record_ids) <= INLINE_INVITATIONS:
        return send_selected_invitations(network, actor, record_ids, request=request), 0
    for start in range(0, len(record_ids), INVITATION_BATCH_SIZE):
        batch = record_ids[start : start + INVITATION_BATCH_SIZE]
        transaction.on_commit(partial(send_invitations.enqueue, network.pk, batch, actor.pk), robust=True)
    return 0, len(record_ids)


def send_selected_invitations(
    network: Network, actor: User | None, record_ids: list[int], request: HttpRequest | None = None
) -> int:
    """Invite those of `record_ids` that are still due an email invitation; returns how many were sent."""
    rules = intake_settings(network)
    today = timezone.localdate()
    sent = 0
    for record_id in record_ids:
        with transaction.atomic():
            record = _locked_record(network, record_id)
            if record is not None and email_outcome(rules, record, today) == Outcome.SEND:
                invite_leaver(network, actor, record, request=request)
                sent += 1
    return sent


def _locked_record(network: Network, record_id: int) -> EmploymentRecord | None:
    """The record, row-locked until the end of the transaction (two workers never invite it twice),
    with the facts that decide its invitation read after the lock."""
    if not list(EmploymentRecord.objects.select_for_update().filter(network=network, pk=record_id).values("pk")):
        return None
    records = _with_invitation_facts(network, EmploymentRecord.objects.filter(network=network, pk=record_id))
    return records.select_related("company").first()


@transaction.atomic
def create_flyer_invitations(
    network: Network, actor: User, record_ids: list[int], request: HttpRequest | None = None
) -> list[AlumniInvitation]:
    """Flyer invitations for the records of a selection that can still have one (at most FLYER_BATCH_LIMIT)."""
    rules = intake_settings(network)
    today = timezone.localdate()
    invitations = []
    for record_id in record_ids[:FLYER_BATCH_LIMIT]:
        record = _locked_record(network, record_id)
        if record is not None and flyer_possible(rules, record, today):
            invitations.append(_new_flyer_invitation(network, actor, record, request))
    return invitations


def _new_flyer_invitation(
    network: Network, actor: User, record: EmploymentRecord, request: HttpRequest | None
) -> AlumniInvitation:
    _close_open_invitations(network, record)
    invitation = AlumniInvitation.objects.create(
        network=network, record=record, email="", delivery=AlumniInvitation.Delivery.FLYER, invited_by=actor
    )
    audit(network, actor, "alumni.invited", record, request=request, invitation=invitation.pk, delivery="flyer")
    return invitation


# --- One invitation --------------------------------------------------------------------------------


@transaction.atomic
def flyer_invitation(
    network: Network, actor: User, record: EmploymentRecord, request: HttpRequest | None = None
) -> AlumniInvitation:
    """The record's open flyer invitation (printing again shows the same code), or a new one that
    replaces any other open link."""
    record = EmploymentRecord.objects.select_for_update().get(network=network, pk=record.pk)
    if record.membership_id is not None:
        raise ActionRefused(gettext("This person is already registered."))
    existing = live_invitations(network).filter(record=record, delivery=AlumniInvitation.Delivery.FLYER).first()
    return existing or _new_flyer_invitation(network, actor, record, request)


def _lock_invitation(network: Network, invitation: AlumniInvitation) -> AlumniInvitation:
    """The invitation re-read under a row lock; refused when nothing can be done with it any more."""
    locked = (
        AlumniInvitation.objects.select_for_update(of=("self",))
        .select_related("network", "record")
        .get(network=network, pk=invitation.pk)
    )
    if locked.accepted_at is not None or locked.record.membership_id is not None:
        raise ActionRefused(gettext("This person is already registered."))
    if locked.revoked_at is not None:
        raise ActionRefused(gettext("This invitation was revoked or replaced by a newer one."))
    return locked


@transaction.atomic
def resend_invitation(
    network: Network, actor: User, invitation: AlumniInvitation, request: HttpRequest | None = None
) -> AlumniInvitation:
    """Email an invitation again: the same link, valid for longer, while it works; else a new link
    (to the record's current address when the old one bounced). A resend counts as the reminder."""
    from enishi.notifications import emails

    invitation = _lock_invitation(network, invitation)
    if invitation.delivery == AlumniInvitation.Delivery.FLYER:
        raise ActionRefused(
            gettext("A flyer cannot be resent. Print it again, or send an invitation by email (it replaces the flyer).")
        )
    if invitation.bounced_at is None and invitation.expires_at > timezone.now():
        invitation.expires_at = default_alumni_invitation_expiry()
        invitation.reminded_at = timezone.now()
        invitation.save(update_fields=["expires_at", "reminded_at"])
        audit(network, actor, "alumni.invitation_resent", invitation.record, request=request,
              invitation=invitation.pk, same_link=True)  # fmt: skip
        emails.alumni_invitation(invitation)
        return invitation
    address = invitation.email
    if invitation.bounced_at is not None:
        address = invitation.record.private_email
        if not address or address.strip().lower() == invitation.email.lower():
            raise ActionRefused(
                gettext("Emails to %(email)s bounced. Correct the private email on the record, then send again.")
                % {"email": invitation.email}
            )
    replacement = invite_leaver(network, actor, invitation.record, address, request=request)
    audit(network, actor, "alumni.invitation_resent", invitation.record, request=request,
          invitation=replacement.pk, replaces=invitation.pk, same_link=False)  # fmt: skip
    return replacement


@transaction.atomic
def revoke_invitation(
    network: Network, actor: User, invitation: AlumniInvitation, request: HttpRequest | None = None
) -> AlumniInvitation:
    """Make an invitation's link (and its flyer code) stop working."""
    invitation = _lock_invitation(network, invitation)
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    audit(network, actor, "alumni.invitation_revoked", invitation.record, request=request, invitation=invitation.pk)
    return invitation


@transaction.atomic
def mark_invitation_bounced(
    network: Network, actor: User, invitation: AlumniInvitation, request: HttpRequest | None = None
) -> AlumniInvitation:
    """HR received a bounce notice for an invitation email (the server did not refuse it at once)."""
    invitation = _lock_invitation(network, invitation)
    if invitation.delivery != AlumniInvitation.Delivery.EMAIL:
        raise ActionRefused(gettext("This invitation was not sent by email."))
    if invitation.bounced_at is not None:
        raise ActionRefused(gettext("This invitation is already marked as bounced."))
    invitation.bounced_at = timezone.now()
    invitation.save(update_fields=["bounced_at"])
    audit(network, actor, "alumni.invitation_bounced", invitation.record, request=request,
          invitation=invitation.pk, source="staff")  # fmt: skip
    return invitation


def record_bounce(network: Network, invitation_id: int, email_id: int) -> bool:
    """An invitation email was refused for good by the recipient's server (called from intake.signals).

    Conditional update: a second bounce of the same invitation (e.g. of its reminder) changes nothing.
    """
    bounced = AlumniInvitation.objects.filter(
        network=network, pk=invitation_id, bounced_at__isnull=True, accepted_at__isnull=True
    ).update(bounced_at=timezone.now())
    if bounced:
        invitation = AlumniInvitation.objects.select_related("record").get(network=network, pk=invitation_id)
        audit(network, None, "alumni.invitation_bounced", invitation.record, invitation=invitation_id,
              source="smtp", email=email_id)  # fmt: skip
    return bool(bounced)


# --- Reminders and automatic invitations (run by the worker's maintenance) ------------------------

# Per network and run: the worker's maintenance comes back every few minutes for the rest.
REMINDER_BATCH_SIZE = 500
AUTO_INVITE_BATCH_SIZE = 500


def _rules_of(network: Network) -> IntakeSettings:
    """The network's intake settings, or the defaults when it has never saved any (nothing written)."""
    return IntakeSettings.objects.filter(network=network).first() or IntakeSettings(network=network)


def send_due_reminders(now: datetime | None = None) -> int:
    """One reminder per email invitation still unanswered `reminder_days` after it was sent.

    Each reminder is claimed with a conditional UPDATE of `reminded_at`, so two workers running
    this at once never send the same reminder twice. Returns how many reminders were queued.
    """
    now = now or timezone.now()
    sent = 0
    for network in Network.objects.order_by("pk"):
        with scope(network=network):
            sent += _send_reminders(network, now)
    return sent


def _send_reminders(network: Network, now: datetime) -> int:
    from enishi.notifications import emails

    days = _rules_of(network).reminder_days
    if not days:
        return 0
    due = AlumniInvitation.objects.filter(
        network=network, delivery=AlumniInvitation.Delivery.EMAIL, accepted_at__isnull=True,
        revoked_at__isnull=True, bounced_at__isnull=True, reminded_at__isnull=True, expires_at__gt=now,
        created_at__lte=now - timedelta(days=days), record__membership__isnull=True,
    ).exclude(email="")  # fmt: skip
    sent = 0
    for invitation_id in list(due.order_by("created_at", "pk").values_list("pk", flat=True)[:REMINDER_BATCH_SIZE]):
        with transaction.atomic():  # a failed render releases the claim: the next run tries again
            claimed = AlumniInvitation.objects.filter(network=network, pk=invitation_id, reminded_at__isnull=True)
            if claimed.update(reminded_at=now) != 1:
                continue
            emails.alumni_invitation_reminder(
                AlumniInvitation.objects.select_related("network", "record").get(network=network, pk=invitation_id)
            )
            sent += 1
    return sent


def send_automatic_invitations(today: date | None = None) -> int:
    """Invite by email, N days after their leave date, the leavers of networks that switched it on.

    Only records never invited, with a private email, no member, eligible, and a leave date on or
    after the day the option was switched on (earlier leavers are invited by HR, deliberately).
    `today` defaults to each network's own date. Returns how many invitations were sent.
    """
    sent = 0
    for network in Network.objects.order_by("pk"):
        with scope(network=network):
            rules = IntakeSettings.objects.filter(network=network, auto_invite_days__isnull=False).first()
            if rules is None or rules.auto_invite_days is None or rules.auto_invite_since is None:
                continue
            local_today = today or timezone.localdate(timezone=ZoneInfo(network.time_zone))
            left_by = local_today - timedelta(days=rules.auto_invite_days)
            sent += _send_automatic(network, rules, local_today, rules.auto_invite_since, left_by)
    return sent


def _send_automatic(network: Network, rules: IntakeSettings, today: date, left_from: date, left_by: date) -> int:
    ever_invited = AlumniInvitation.objects.filter(network=network, record_id=OuterRef("pk"))
    candidates = (
        EmploymentRecord.objects.filter(
            network=network, membership__isnull=True, leave_date__gte=left_from, leave_date__lte=left_by
        )
        .exclude(private_email="")
        .exclude(Exists(ever_invited))
        .select_related("company")
        .order_by("leave_date", "pk")
    )
    # Read before writing: the window is a few days of leavers, and no cursor stays open across the sends.
    due = [record.pk for record in candidates if not eligibility_problems(rules, record, today)]
    sent = 0
    for record_id in due[:AUTO_INVITE_BATCH_SIZE]:
        with transaction.atomic():
            record = _locked_record(network, record_id)
            if record is None or record.membership_id is not None or not record.private_email:
                continue
            if AlumniInvitation.objects.filter(network=network, record=record).exists():
                continue
            invite_leaver(network, None, record, automatic=True)
            sent += 1
    return sent


# --- Join links (channels) -------------------------------------------------------------------------


def create_join_channel(
    network: Network,
    actor: User,
    *,
    kind: str,
    label: str = "",
    expires_on: date | None = None,
    request: HttpRequest | None = None,
) -> JoinChannel:
    """A shareable link to the join page that records where people came from (not a referral: alumni
    create their own)."""
    if kind not in JoinChannel.Kind.values or kind == JoinChannel.Kind.REFERRAL:
        raise ActionRefused(gettext("Choose where the link will be shared."))
    expires_at = None
    if expires_on is not None:  # valid through the whole day, in the network's time zone
        expires_at = datetime.combine(expires_on, time(23, 59, 59), tzinfo=ZoneInfo(network.time_zone))
        if expires_at <= timezone.now():
            raise ActionRefused(gettext("The expiry date is in the past."))
    channel = JoinChannel.objects.create(
        network=network, kind=kind, label=label.strip(), created_by=actor, expires_at=expires_at
    )
    audit(network, actor, "join_channel.created", channel, request=request, kind=kind)
    return channel


@transaction.atomic
def revoke_join_channel(
    network: Network, actor: User, channel: JoinChannel, request: HttpRequest | None = None
) -> JoinChannel:
    channel = JoinChannel.objects.select_for_update().get(network=network, pk=channel.pk)
    if channel.revoked_at is not None:
        raise ActionRefused(gettext("This link is already revoked."))
    channel.revoked_at = timezone.now()
    channel.save(update_fields=["revoked_at"])
    audit(network, actor, "join_channel.revoked", channel, request=request, kind=channel.kind)
    return channel


def join_channels_with_counts(network: Network) -> QuerySet[JoinChannel]:
    """The network's join links with their sent registration requests and approved members counted."""
    sent = ~Q(registrations__status=Registration.Status.DRAFT)
    approved = Q(registrations__status=Registration.Status.APPROVED)
    counts = {"requests": Count("registrations", filter=sent), "approved": Count("registrations", filter=approved)}
    # Explicit order: Meta.ordering is not applied to a query with aggregates.
    return JoinChannel.objects.filter(network=network).annotate(**counts).order_by("-created_at", "-pk")
