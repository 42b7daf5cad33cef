"""What the coordinator does and what the alumnus decides. The notes never leave this module's
callers: no function here puts an interview's text into an email, an audit entry or a log line."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from enishi.accounts.services import language_for_email
from enishi.coordination.models import (
    PROVISION_RETENTION_DAYS,
    CoordinatorOrganisation,
    CoordinatorProfile,
    Engagement,
    Interview,
    ProvisionRecord,
    Relay,
)
from enishi.lib.errors import ActionRefused
from enishi.networks.models import Membership, Network
from enishi.networks.roles import ALUMNI_ROLES, MembershipState, Role
from enishi.notifications.services import queue_rendered_email
from enishi.privacy.models import Consent, ConsentPurpose
from enishi.privacy.notices import has_consent
from enishi.privacy.services import audit

RELAY_LINK_SALT = "enishi.coordination.relay"
RELAY_LINK_MAX_AGE = 14 * 24 * 3600  # two weeks: then the alumnus approves in the app


def organisation_of(membership: Membership | None) -> CoordinatorOrganisation | None:
    """The organisation a coordinator works for, if the network engages it now (else None)."""
    if membership is None or membership.role != Role.COORDINATOR or membership.state != MembershipState.ACTIVE:
        return None
    profile = (
        CoordinatorProfile.objects.select_related("organisation")
        .filter(network_id=membership.network_id, membership=membership)
        .first()
    )
    if profile is None:
        return None
    engaged = Engagement.objects.filter(
        network_id=membership.network_id, organisation=profile.organisation, ended_at__isnull=True
    ).exists()
    return profile.organisation if engaged else None


def _consent_in_force(purpose: str) -> Exists:
    return Exists(
        Consent.objects.filter(
            network_id=OuterRef("network_id"), membership=OuterRef("pk"), purpose=purpose, withdrawn_at__isnull=True
        )
    )


def contactable_alumni(network: Network) -> QuerySet[Membership]:
    """Active alumni who agreed to coordinator contact now: the only people a coordinator sees."""
    return (
        Membership.objects.filter(network=network, role__in=ALUMNI_ROLES, state=MembershipState.ACTIVE)
        .filter(_consent_in_force(ConsentPurpose.COORDINATOR_CONTACT))
        .select_related("user")
        .order_by("user__family_name_kana", "user__given_name_kana", "pk")
    )


def interviews_of(network: Network, organisation: CoordinatorOrganisation) -> QuerySet[Interview]:
    return Interview.objects.filter(network=network, organisation=organisation).select_related(
        "alumnus__user", "coordinator__user"
    )


def new_interview(coordinator: Membership, organisation: CoordinatorOrganisation, alumnus: Membership) -> Interview:
    if not has_consent(alumnus, ConsentPurpose.COORDINATOR_CONTACT):
        raise ActionRefused(_("This person has not agreed to be contacted by the coordinator."))
    return Interview(network_id=coordinator.network_id, organisation=organisation, coordinator=coordinator,
                     alumnus=alumnus)  # fmt: skip


# --- Relays ------------------------------------------------------------------------------------


def relay_token(relay: Relay) -> str:
    """The signed key of the approval link: the relay, its alumnus and the exact text they approve."""
    return signing.dumps({"r": relay.pk, "m": relay.alumnus_id, "d": relay.digest}, salt=RELAY_LINK_SALT)


def read_relay_token(token: str) -> dict[str, Any] | None:
    try:
        data = signing.loads(token, salt=RELAY_LINK_SALT, max_age=RELAY_LINK_MAX_AGE)
    except signing.BadSignature:  # SignatureExpired included
        return None
    return data if isinstance(data, dict) else None


def propose_relay(interview: Interview, coordinator: Membership, summary: str, *,
                  request: HttpRequest | None = None) -> Relay:  # fmt: skip
    """Write a summary for hr and ask the alumnus to approve it (in the app, or by the emailed link)."""
    alumnus = interview.alumnus
    if not has_consent(alumnus, ConsentPurpose.COORDINATOR_CONTACT):
        raise ActionRefused(_("This person has not agreed to be contacted by the coordinator."))
    with transaction.atomic():
        relay = Relay.objects.create(
            network_id=interview.network_id, interview=interview, organisation=interview.organisation,
            coordinator=coordinator, alumnus=alumnus, summary=summary.strip(),
        )  # fmt: skip
        audit(alumnus.network, coordinator.user, "coordination.relay_proposed", relay, request=request)
        _email_relay(relay)
    return relay


def _email_relay(relay: Relay) -> None:
    """The alumnus's email: a link to the text, not the text (it is theirs to read in the app)."""
    alumnus = relay.alumnus
    network = alumnus.network
    language = alumnus.user.language or language_for_email(alumnus.user.email, network)
    link = settings.SITE_URL + reverse("network:coordinator_relay_link", args=[network.slug, relay_token(relay)])
    context = {"network": network, "person": alumnus.user, "link": link, "organisation": relay.organisation,
               "days": RELAY_LINK_MAX_AGE // 86400, "LANGUAGE_CODE": language}  # fmt: skip
    with translation.override(language):
        subject = " ".join(render_to_string("coordination/email_relay_subject.txt", context).split())
        text_body = render_to_string("coordination/email_relay_body.txt", context)
    queue_rendered_email(kind="coordination-relay", to=alumnus.user.email, language=language, subject=subject,
                         text_body=text_body, network=network, reference=f"relay:{relay.pk}")  # fmt: skip


def approve_relay(relay: Relay, membership: Membership, digest: str, *,
                  request: HttpRequest | None = None) -> ProvisionRecord:  # fmt: skip
    """The alumnus approves the exact text they saw: hr sees it from now, and the provision is recorded."""
    with transaction.atomic():
        relay = (
            Relay.objects.select_for_update(of=("self",))
            .select_related("organisation", "coordinator__user")
            .get(pk=relay.pk)
        )
        if relay.alumnus_id != membership.pk:
            raise ActionRefused(_("This summary is not about you."))
        if relay.status != Relay.Status.AWAITING:
            raise ActionRefused(_("This summary was already answered."))
        if digest != relay.digest:
            raise ActionRefused(_("The summary changed since you read it. Please read it again."))
        consent = Consent.objects.filter(
            network_id=membership.network_id, membership=membership, purpose=ConsentPurpose.COORDINATOR_RELAY,
            withdrawn_at__isnull=True,
        ).first()  # fmt: skip
        if consent is None:
            raise ActionRefused(
                _("You have not agreed to sharing by the comeback coordinator. Give that consent on the privacy "
                  "page first, if you wish.")
            )  # fmt: skip
        now = timezone.now()
        relay.status = Relay.Status.APPROVED
        relay.decided_at = now
        relay.save(update_fields=["status", "decided_at"])
        coordinator = relay.coordinator.user.full_name if relay.coordinator else ""
        record = ProvisionRecord.objects.create(
            network_id=membership.network_id, alumnus=membership, relay=relay,
            provider_label=f"{relay.organisation.name} {coordinator}".strip()[:300],
            recipient_label=_("HR of %(network)s") % {"network": membership.network.name_ja},
            subject_label=membership.user.full_name[:300], content=relay.summary, consent=consent,
            consent_ref=consent.pk, provided_at=now,
            retain_until=(now + timedelta(days=PROVISION_RETENTION_DAYS)).date(),
            recorded_by=membership.user,
        )  # fmt: skip
        audit(membership.network, membership.user, "coordination.relay_approved", relay, request=request,
              consent_id=consent.pk)  # fmt: skip
    return record


def decline_relay(relay: Relay, membership: Membership, *, request: HttpRequest | None = None) -> None:
    with transaction.atomic():
        relay = Relay.objects.select_for_update().get(pk=relay.pk)
        if relay.alumnus_id != membership.pk or relay.status != Relay.Status.AWAITING:
            raise ActionRefused(_("This summary was already answered."))
        relay.status = Relay.Status.DECLINED
        relay.decided_at = timezone.now()
        relay.save(update_fields=["status", "decided_at"])
        audit(membership.network, membership.user, "coordination.relay_declined", relay, request=request)


def approved_relays(network: Network) -> QuerySet[Relay]:
    """What hr sees: approved summaries only, never an interview."""
    return (
        Relay.objects.filter(network=network, status=Relay.Status.APPROVED)
        .select_related("alumnus__user", "organisation")
        .order_by("-decided_at", "-pk")
    )


def pending_relays(membership: Membership) -> QuerySet[Relay]:
    return Relay.objects.filter(network_id=membership.network_id, alumnus=membership,
                                status=Relay.Status.AWAITING).select_related("organisation")  # fmt: skip


def provision_records(membership: Membership) -> QuerySet[ProvisionRecord]:
    return ProvisionRecord.objects.filter(network_id=membership.network_id, alumnus=membership)
