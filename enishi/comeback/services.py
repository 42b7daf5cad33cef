"""Business verbs of comeback: who sees which opportunity, interest and applications, the stages of
the pipeline and moving candidates through them.

Which stages the candidate sees (decision, issue 7): each Stage has `visible`. Of the defaults, the
candidate sees カジュアル面談, 面接, 内定, 入社, 見送り and 辞退 by name and is told (topic OPPORTUNITIES)
when they reach one; 興味あり and 書類選考 are internal and shown to them as "Received, in progress".
Notifications are sent from this module only; views never call notifications directly.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from enishi.accounts.models import User
from enishi.comeback.models import (
    Application,
    Candidate,
    CandidateNote,
    Interest,
    Opportunity,
    OpportunityInvitee,
    Stage,
)
from enishi.directory.services import segment_member_ids
from enishi.lib.errors import ActionRefused
from enishi.messaging import services as messaging
from enishi.messaging.models import SecretariatMessage, SecretariatThread
from enishi.networks.access import covered_company_ids
from enishi.networks.models import Membership, Network
from enishi.networks.roles import ALUMNI_ROLES, MembershipState, Role
from enishi.networks.services import keep_exactly_members
from enishi.notifications.services import notify
from enishi.notifications.topics import Topic
from enishi.privacy.services import audit

# (name, kind, shown to the candidate): created for a network on first use.
DEFAULT_STAGES = (
    ("興味あり", Stage.Kind.OPEN, False),
    ("カジュアル面談", Stage.Kind.OPEN, True),
    ("書類選考", Stage.Kind.OPEN, False),
    ("面接", Stage.Kind.OPEN, True),
    ("内定", Stage.Kind.OPEN, True),
    ("入社", Stage.Kind.HIRED, True),
    ("見送り", Stage.Kind.DECLINED, True),
    ("辞退", Stage.Kind.WITHDRAWN, True),
)
HR_ROLES = (Role.ADMIN, Role.HR)


# --- Stages ----------------------------------------------------------------------------------------


def stages_of(network: Network) -> list[Stage]:
    """The network's stages in order, the defaults created on first use."""
    stages = list(Stage.objects.filter(network=network))
    if stages:
        return stages
    with transaction.atomic():
        Network.objects.select_for_update().filter(pk=network.pk).first()  # one creator at a time
        stages = list(Stage.objects.filter(network=network))
        if not stages:
            stages = Stage.objects.bulk_create(
                [
                    Stage(network=network, name=name, kind=kind, visible=visible, position=index)
                    for index, (name, kind, visible) in enumerate(DEFAULT_STAGES)
                ]
            )
    return stages


def first_stage(network: Network) -> Stage:
    return next(stage for stage in stages_of(network) if stage.kind == Stage.Kind.OPEN)


def withdrawn_stage(network: Network) -> Stage | None:
    return next((stage for stage in stages_of(network) if stage.kind == Stage.Kind.WITHDRAWN), None)


def save_stage(stage: Stage, actor: User, request: HttpRequest | None = None) -> Stage:
    """Add (at the end) or change a stage."""
    with transaction.atomic():
        if stage.pk is None:
            last = Stage.objects.filter(network_id=stage.network_id).order_by("-position").first()
            stage.position = last.position + 1 if last is not None else 0
        stage.save()
        audit(stage.network, actor, "stage.saved", stage, request=request, name=stage.name)
    return stage


def move_stage(stage: Stage, step: int, actor: User, request: HttpRequest | None = None) -> None:
    """Move a stage one place earlier (step -1) or later (+1); positions are renumbered 0, 1, 2..."""
    with transaction.atomic():
        ordered = list(Stage.objects.select_for_update().filter(network_id=stage.network_id).order_by("position", "id"))
        index = next(i for i, other in enumerate(ordered) if other.pk == stage.pk)
        target = index + step
        if not 0 <= target < len(ordered):
            return
        ordered[index], ordered[target] = ordered[target], ordered[index]
        for position, other in enumerate(ordered):
            other.position = position
        Stage.objects.bulk_update(ordered, ["position"])
        audit(stage.network, actor, "stage.reordered", stage, request=request, name=stage.name)


def stage_in_use(stage: Stage) -> bool:
    return Candidate.objects.filter(network_id=stage.network_id, stage=stage).exists()


def delete_stage(stage: Stage, actor: User, request: HttpRequest | None = None) -> bool:
    """Delete a stage no candidate is in (the foreign key RESTRICTs anyway), keeping one "in progress"."""
    with transaction.atomic():
        if stage_in_use(stage):
            return False
        if stage.kind == Stage.Kind.OPEN and not (
            Stage.objects.filter(network_id=stage.network_id, kind=Stage.Kind.OPEN).exclude(pk=stage.pk).exists()
        ):
            return False
        audit(stage.network, actor, "stage.deleted", stage, request=request, name=stage.name)
        stage.delete()
    return True


def public_status(stage: Stage) -> str:
    """What the candidate reads about where they are."""
    return stage.name if stage.visible else _("Received, in progress")


# --- Who sees what ---------------------------------------------------------------------------------


def opportunities_for(membership: Membership) -> QuerySet[Opportunity]:
    """Open opportunities (within their dates) this member may see, plus any they already answered
    (their interest or application keeps it visible, paused or closed)."""
    network_id = membership.network_id
    today = timezone.localdate()
    base = Opportunity.objects.filter(network_id=network_id).exclude(status=Opportunity.Status.DRAFT)
    answered = Candidate.objects.filter(network_id=network_id, opportunity=OuterRef("pk"), membership=membership)
    current: Q = (
        Q(status=Opportunity.Status.OPEN)
        & (Q(opens_on__isnull=True) | Q(opens_on__lte=today))
        & (Q(closes_on__isnull=True) | Q(closes_on__gte=today))
    )
    if membership.role in ALUMNI_ROLES:
        invited = OpportunityInvitee.objects.filter(
            network_id=network_id, opportunity=OuterRef("pk"), membership=membership
        )
        current = current & (Q(audience=Opportunity.Audience.ALL) | Q(Exists(invited)))
    return base.filter(current | Exists(answered)).select_related("company")


def is_accepting(opportunity: Opportunity) -> bool:
    today = timezone.localdate()
    return (
        opportunity.status == Opportunity.Status.OPEN
        and (opportunity.opens_on is None or opportunity.opens_on <= today)
        and (opportunity.closes_on is None or opportunity.closes_on >= today)
    )


def may_respond(opportunity: Opportunity, membership: Membership) -> bool:
    """Alumni of the audience may show interest or apply while it is open. Withdrawn rehire-contact
    consent does not stop them: that is them contacting the company."""
    if membership.role not in ALUMNI_ROLES or not is_accepting(opportunity):
        return False
    return opportunities_for(membership).filter(pk=opportunity.pk).exists()


# --- Interest and applications ---------------------------------------------------------------------


def _candidate_for(opportunity: Opportunity, membership: Membership) -> tuple[Candidate, bool]:
    candidate = Candidate.objects.filter(opportunity=opportunity, membership=membership).first()
    if candidate is not None:
        if candidate.stage.kind == Stage.Kind.WITHDRAWN:  # they came back: start again
            candidate.stage = first_stage(opportunity.network)
            candidate.save(update_fields=["stage", "updated_at"])
        return candidate, False
    stage = first_stage(opportunity.network)
    return Candidate.objects.create(network_id=opportunity.network_id, opportunity=opportunity,
                                    membership=membership, stage=stage), True  # fmt: skip


def _tell_hr(opportunity: Opportunity, actor: Membership, kind: str) -> None:
    staff = Membership.objects.filter(network_id=opportunity.network_id, role__in=HR_ROLES,
                                      state=MembershipState.ACTIVE)  # fmt: skip
    url = reverse("manage:opportunity_candidates", args=[opportunity.network.slug, opportunity.pk])
    for member in staff:
        covered = covered_company_ids(member)
        if covered is not None and opportunity.company_id not in covered:
            continue  # hr restricted to other companies: not theirs to see
        notify(member, topic=Topic.OPPORTUNITIES, kind=kind, url=url, actor=actor,
               params={"title": opportunity.title}, reference=f"opportunity:{opportunity.pk}")  # fmt: skip


def express_interest(opportunity: Opportunity, membership: Membership, note: str = "") -> Interest:
    """「話を聞いてみたい」: one tap; again after a withdrawal renews it."""
    with transaction.atomic():
        interest, created = Interest.objects.get_or_create(
            network_id=opportunity.network_id, opportunity=opportunity, membership=membership,
            defaults={"note": note},
        )  # fmt: skip
        renewed = not created and interest.withdrawn_at is not None
        if renewed or (note and interest.note != note):
            interest.withdrawn_at = None
            interest.note = note or interest.note
            interest.save(update_fields=["withdrawn_at", "note"])
        _candidate_for(opportunity, membership)
        if created or renewed:
            _tell_hr(opportunity, membership, "opportunity_interest")
    return interest


def apply(
    opportunity: Opportunity, membership: Membership, answers: dict[str, str], resume: UploadedFile | None
) -> Application:
    with transaction.atomic():
        application = Application.objects.filter(opportunity=opportunity, membership=membership).first()
        if application is None:
            application = Application(network_id=opportunity.network_id, opportunity=opportunity,
                                      membership=membership)  # fmt: skip
        application.answers = answers
        application.status = Application.Status.SUBMITTED
        application.withdrawn_at = None
        replaced = application.resume.name if resume is not None and application.resume else ""
        if resume is not None:
            application.resume = resume
        application.save()
        if replaced and replaced != application.resume.name:
            transaction.on_commit(lambda: default_storage.delete(replaced))
        _candidate_for(opportunity, membership)
        _tell_hr(opportunity, membership, "opportunity_application")
    return application


def _withdraw_candidate_if_done(opportunity: Opportunity, membership: Membership) -> None:
    active_interest = Interest.objects.filter(opportunity=opportunity, membership=membership,
                                              withdrawn_at__isnull=True).exists()  # fmt: skip
    active_application = Application.objects.filter(opportunity=opportunity, membership=membership,
                                                     status=Application.Status.SUBMITTED).exists()  # fmt: skip
    if active_interest or active_application:
        return
    stage = withdrawn_stage(opportunity.network)
    if stage is not None:
        Candidate.objects.filter(opportunity=opportunity, membership=membership).exclude(
            stage__kind=Stage.Kind.HIRED
        ).update(stage=stage, updated_at=timezone.now())


def withdraw_interest(interest: Interest) -> None:
    with transaction.atomic():
        if interest.withdrawn_at is None:
            interest.withdrawn_at = timezone.now()
            interest.save(update_fields=["withdrawn_at"])
        _withdraw_candidate_if_done(interest.opportunity, interest.membership)


def withdraw_application(application: Application) -> None:
    with transaction.atomic():
        if application.status != Application.Status.WITHDRAWN:
            application.status = Application.Status.WITHDRAWN
            application.withdrawn_at = timezone.now()
            application.save(update_fields=["status", "withdrawn_at"])
        _withdraw_candidate_if_done(application.opportunity, application.membership)


# --- The console ----------------------------------------------------------------------------------


def fix_invitees(opportunity: Opportunity, membership_ids: Iterable[int]) -> int:
    return keep_exactly_members(
        OpportunityInvitee.objects.filter(opportunity=opportunity),
        lambda pk: OpportunityInvitee(network_id=opportunity.network_id, opportunity=opportunity, membership_id=pk),
        opportunity.network_id, membership_ids,
    )  # fmt: skip


def save_opportunity(opportunity: Opportunity, actor: User, request: HttpRequest | None = None) -> Opportunity:
    if opportunity.pk is None:
        opportunity.created_by = actor
    opportunity.save()
    audit(opportunity.network, actor, "opportunity.saved", opportunity, request=request)
    return opportunity


def set_status(opportunity: Opportunity, status: str, actor: User, request: HttpRequest | None = None) -> None:
    """Publish (open), pause or close. Opening one for a segment fixes its members now."""
    with transaction.atomic():
        if status == Opportunity.Status.OPEN and opportunity.audience == Opportunity.Audience.SEGMENT:
            fix_invitees(opportunity, segment_member_ids(opportunity.segment) if opportunity.segment else [])
        opportunity.status = status
        opportunity.save(update_fields=["status", "updated_at"])
        audit(opportunity.network, actor, "opportunity.status_changed", opportunity, request=request, status=status)
        if status == Opportunity.Status.OPEN:  # subscribers of new openings hear of it once (subscriptions.py)
            from enishi.comeback.tasks import schedule_opening_news

            schedule_opening_news(opportunity)


def move(
    candidates: Iterable[Candidate],
    stage: Stage,
    actor: Membership,
    *,
    hired_on: date | None = None,
    request: HttpRequest | None = None,
) -> int:
    """Move candidates to `stage` (one or many). A hire keeps its start date (today if none given).
    Candidates reaching a stage they may see are told."""
    moved = 0
    url = reverse("network:my_applications", args=[stage.network.slug])
    with transaction.atomic():
        for candidate in candidates:
            if candidate.network_id != stage.network_id:
                raise ValueError("A stage never crosses networks.")
            if candidate.stage_id == stage.pk:
                continue
            candidate.stage = stage
            fields = ["stage", "updated_at"]
            if stage.kind == Stage.Kind.HIRED:
                candidate.hired_on = hired_on or candidate.hired_on or timezone.localdate()
                fields.append("hired_on")
            candidate.save(update_fields=fields)
            moved += 1
            audit(stage.network, actor.user, "candidate.stage_changed", candidate, request=request, stage=stage.name)
            if stage.visible:
                notify(candidate.membership, topic=Topic.OPPORTUNITIES, kind="opportunity_stage", url=url,
                       params={"title": candidate.opportunity.title, "stage": stage.name},
                       reference=f"candidate:{candidate.pk}")  # fmt: skip
    return moved


def message_candidate(
    candidate: Candidate, staff: Membership, text: str, request: HttpRequest | None = None
) -> SecretariatMessage:
    """hr writes to a candidate as the secretariat: the candidate's thread of the secretariat inbox
    (opened by the first message, subject the opportunity's title) gets a message "from the
    secretariat", so that the alumnus is notified, reads and replies in their usual inbox."""
    if not messaging.is_messaging_member(candidate.membership):
        raise ActionRefused(_("Only active alumni can receive messages here."))
    with transaction.atomic():
        thread = candidate.thread
        if thread is None:
            thread = SecretariatThread.objects.create(
                network_id=candidate.network_id, alumnus=candidate.membership,
                subject=candidate.opportunity.title[:120], status=SecretariatThread.Status.IN_PROGRESS,
                last_message_at=timezone.now(),
            )  # fmt: skip
            Candidate.objects.filter(pk=candidate.pk).update(thread=thread)
            candidate.thread = thread
        message = messaging.secretariat_reply(staff, thread, text, request=request)
        audit(candidate.opportunity.network, staff.user, "candidate.messaged", candidate, request=request,
              membership=candidate.membership_id, thread=thread.pk)  # fmt: skip
    return message


def add_note(candidate: Candidate, actor: User, body: str, request: HttpRequest | None = None) -> CandidateNote:
    """An hr note on a candidate (console only), audited."""
    note = CandidateNote.objects.create(network_id=candidate.network_id, candidate=candidate, author=actor, body=body)
    audit(candidate.network, actor, "candidate.note_added", candidate, request=request)
    return note
