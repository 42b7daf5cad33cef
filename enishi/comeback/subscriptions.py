"""Subscriptions to new openings (issue 7, point 4): alumni whose intent fits are told when an
opportunity of the kinds they are open to opens.

Who fits a kind (decision): an active alumnus (or supporter) whose Intent.return_modes holds the
matching ReturnMode (full-time, contract, side job, project); a company collaboration call fits those
open to projects or who wrote what they offer or seek in collaboration. People who said "not now"
(until the "ask me again" date has passed) and people without the rehire-contact consent in force
never fit: they are outreach's exclusions, read again when an opportunity opens.

One subscription in force per person (OpeningSubscription): subscribing someone who already has one
widens it (more kinds, or every company) or, when it already covers the choice, counts them apart as
"already subscribed". hr subscribes to a choice of kinds everyone who fits one of them; when an
opportunity opens, each subscriber hears of it only if their intent is still open to its kind.
Views and the publish hook call the verbs here; nothing else writes them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from enishi.accounts.models import User
from enishi.comeback.models import OpeningSubscription, Opportunity, OpportunityInvitee
from enishi.comeback.services import is_accepting
from enishi.lib.richtext import plain_excerpt
from enishi.networks.access import covered_company_ids
from enishi.networks.models import Company, Membership, Network
from enishi.networks.roles import ALUMNI_ROLES, MembershipState
from enishi.notifications.services import notify_each_once
from enishi.notifications.topics import Topic
from enishi.privacy.models import Consent, ConsentPurpose
from enishi.privacy.services import audit
from enishi.profiles.models import Intent
from enishi.profiles.vocabulary import ReturnMode

# The intent's return mode that makes a person fit each kind of opportunity.
RETURN_MODE_OF_KIND: dict[str, str] = {
    Opportunity.Kind.FULL_TIME: ReturnMode.FULL_TIME,
    Opportunity.Kind.CONTRACT: ReturnMode.CONTRACT,
    Opportunity.Kind.SIDE_JOB: ReturnMode.SIDE_JOB,
    Opportunity.Kind.PROJECT: ReturnMode.PROJECT,
    Opportunity.Kind.COLLABORATION_CALL: ReturnMode.PROJECT,  # or a collaboration offer / wish, below
}


def opportunity_reference(opportunity_id: int) -> str:
    return f"opportunity:{opportunity_id}"


def _has_mode(mode: str) -> Q:
    # return_modes is a JSON list of ReturnMode values; a quoted value never occurs inside another one.
    return Q(profile__intent__return_modes__icontains=f'"{mode}"')


def fits_kind(kind: str) -> Q:
    """Membership filter: the person's intent is open to this kind of opportunity."""
    fits = _has_mode(RETURN_MODE_OF_KIND[kind])
    if kind == Opportunity.Kind.COLLABORATION_CALL:
        # `> ""`: a non-empty text (a negated "= ''" would also take people without any intent).
        fits |= Q(profile__intent__collaboration_offer__gt="") | Q(profile__intent__collaboration_seek__gt="")
    return fits


def fits_any(kinds: Iterable[str]) -> Q:
    condition = Q(pk__in=[])
    for kind in kinds:
        condition |= fits_kind(kind)
    return condition


def reachable_alumni(network_id: int) -> QuerySet[Membership]:
    """Active alumni whom outreach may address now: not "not now" (unless the date they gave to be
    asked again has come) and with the rehire-contact consent in force."""
    today = timezone.localdate()
    consent = Consent.objects.filter(network_id=network_id, membership=OuterRef("pk"),
                                     purpose=ConsentPurpose.REHIRE_CONTACT, withdrawn_at__isnull=True)  # fmt: skip
    return (
        Membership.objects.filter(network_id=network_id, role__in=ALUMNI_ROLES, state=MembershipState.ACTIVE)
        .filter(Q(profile__intent__not_now=False) | Q(profile__intent__ask_again_on__lte=today))
        .filter(Exists(consent))
    )


def fitting_alumni(network_id: int, kinds: Iterable[str]) -> QuerySet[Membership]:
    return reachable_alumni(network_id).filter(fits_any(kinds)).distinct()


def kinds_fitting(membership: Membership) -> list[str]:
    """The kinds of opportunity this alumnus's intent is open to (the "start" choice), by the same rule
    as fits_kind; none when outreach may not address them (not now, no consent). Two queries."""
    if not reachable_alumni(membership.network_id).filter(pk=membership.pk).exists():
        return []
    intent = Intent.objects.filter(network_id=membership.network_id, profile__membership=membership).first()
    if intent is None:
        return []
    modes = set(intent.return_modes)
    collaborates = bool(intent.collaboration_offer or intent.collaboration_seek)
    return [
        kind for kind in Opportunity.Kind.values
        if RETURN_MODE_OF_KIND[kind] in modes or (kind == Opportunity.Kind.COLLABORATION_CALL and collaborates)
    ]  # fmt: skip


def active_subscription(membership: Membership) -> OpeningSubscription | None:
    return (
        OpeningSubscription.objects.filter(network_id=membership.network_id, membership=membership,
                                           cancelled_at__isnull=True)
        .prefetch_related("companies")
        .first()
    )  # fmt: skip


def _covering(network_id: int, kinds: list[str], company_ids: list[int]) -> QuerySet[OpeningSubscription]:
    """Subscriptions in force that already include every kind chosen and every company chosen."""
    found = OpeningSubscription.objects.filter(network_id=network_id, cancelled_at__isnull=True)
    for kind in kinds:
        found = found.filter(kinds__icontains=f'"{kind}"')
    through = OpeningSubscription.companies.through.objects
    every_company = ~Exists(through.filter(openingsubscription_id=OuterRef("pk")))
    if not company_ids:
        return found.filter(every_company)
    listed = Q()
    for company_id in company_ids:
        listed &= Q(Exists(through.filter(openingsubscription_id=OuterRef("pk"), company_id=company_id)))
    return found.filter(every_company | listed)


@dataclass(frozen=True)
class Fit:
    """How many alumni fit a choice of kinds (and companies), and how many of them already get it."""

    fitting: int
    already: int

    @property
    def to_subscribe(self) -> int:
        return self.fitting - self.already


def assess(network: Network, kinds: list[str], companies: list[Company]) -> Fit:
    people = fitting_alumni(network.pk, kinds)
    covered = _covering(network.pk, kinds, [company.pk for company in companies]).values("membership_id")
    return Fit(fitting=people.count(), already=people.filter(pk__in=covered).count())


SUBSCRIBE_BATCH_SIZE = 500


def subscribe_fitting(
    network: Network, actor: User, kinds: list[str], companies: list[Company], request: HttpRequest | None = None
) -> tuple[int, int]:
    """Subscribe every alumnus who fits `kinds` to new openings of these kinds (of `companies`, or of
    every company if none). Idempotent: returns (subscribed or widened now, already subscribed)."""
    kinds = sorted(set(kinds))
    company_ids = sorted(company.pk for company in companies)
    with transaction.atomic():
        people = fitting_alumni(network.pk, kinds)
        covered = _covering(network.pk, kinds, company_ids).values("membership_id")
        already = people.filter(pk__in=covered).count()
        # Ids first: the rows written below must not move under an open cursor.
        to_change = list(people.exclude(pk__in=covered).order_by("pk").values_list("pk", flat=True))
        for start_at in range(0, len(to_change), SUBSCRIBE_BATCH_SIZE):
            _subscribe_batch(network, actor, to_change[start_at : start_at + SUBSCRIBE_BATCH_SIZE], kinds, company_ids)
        audit(network, actor, "opening_subscriptions.created", request=request, kinds=kinds,
              companies=company_ids, subscribed=len(to_change), already=already)  # fmt: skip
    return len(to_change), already


def _subscribe_batch(
    network: Network, actor: User, membership_ids: list[int], kinds: list[str], company_ids: list[int]
) -> None:
    """New subscriptions in bulk for those without one; a wider one for those who have one."""
    current = {
        row.membership_id: row
        for row in OpeningSubscription.objects.filter(network=network, membership_id__in=membership_ids,
                                                      cancelled_at__isnull=True).prefetch_related("companies")
    }  # fmt: skip
    created = OpeningSubscription.objects.bulk_create(
        OpeningSubscription(network=network, membership_id=pk, kinds=kinds, created_by=actor)
        for pk in membership_ids
        if pk not in current
    )
    if company_ids and created:
        through = OpeningSubscription.companies.through
        if any(row.pk is None for row in created):  # backends without RETURNING: read the ids back
            fresh = OpeningSubscription.objects.filter(network=network, membership_id__in=membership_ids,
                                                       cancelled_at__isnull=True)  # fmt: skip
            created = list(fresh.exclude(pk__in=[row.pk for row in current.values()]))
        through.objects.bulk_create(
            through(openingsubscription_id=row.pk, company_id=company_id)
            for row in created
            for company_id in company_ids
        )
    for row in current.values():
        row.kinds = sorted(set(row.kinds) | set(kinds))
        row.save(update_fields=["kinds", "updated_at"])
        had = [company.pk for company in row.companies.all()]
        if had and company_ids:
            row.companies.set(sorted(set(had) | set(company_ids)))
        elif had:
            row.companies.clear()  # the new choice is every company: the wider one wins


def start(membership: Membership, kinds: Iterable[str]) -> OpeningSubscription | None:
    """The alumnus asks for news of new openings of these kinds (only those fitting their intent);
    replaces what they had. None when none of the kinds fits."""
    fitting = set(kinds_fitting(membership))
    chosen = sorted(kind for kind in set(kinds) if kind in fitting)
    if not chosen:
        return None
    with transaction.atomic():
        Membership.objects.select_for_update().filter(pk=membership.pk).exists()  # one change at a time
        current = active_subscription(membership)
        if current is None:
            current = OpeningSubscription.objects.create(network_id=membership.network_id, membership=membership,
                                                         kinds=chosen, created_by=membership.user)  # fmt: skip
        else:
            current.kinds = chosen
            current.save(update_fields=["kinds", "updated_at"])
    return current


def stop(membership: Membership) -> bool:
    """The alumnus stops the news of new openings. False when nothing was in force."""
    return bool(
        OpeningSubscription.objects.filter(network_id=membership.network_id, membership=membership,
                                           cancelled_at__isnull=True).update(cancelled_at=timezone.now())
    )  # fmt: skip


def subscriptions_in_reach(staff: Membership) -> QuerySet[OpeningSubscription]:
    """The subscriptions in force the staff member sees: all, or for hr restricted to some companies
    those for every company or for one of theirs."""
    found = OpeningSubscription.objects.filter(network_id=staff.network_id, cancelled_at__isnull=True)
    covered = covered_company_ids(staff)
    if covered is None:
        return found
    through = OpeningSubscription.companies.through.objects
    return found.filter(
        ~Exists(through.filter(openingsubscription_id=OuterRef("pk")))
        | Exists(through.filter(openingsubscription_id=OuterRef("pk"), company_id__in=covered))
    )


def cancel(subscription: OpeningSubscription, actor: User, request: HttpRequest | None = None) -> None:
    """Staff cancel one person's subscription; audited."""
    if subscription.cancelled_at is not None:
        return
    subscription.cancelled_at = timezone.now()
    subscription.save(update_fields=["cancelled_at"])
    audit(subscription.network, actor, "opening_subscription.cancelled", subscription, request=request,
          membership=subscription.membership_id)  # fmt: skip


def subscribers_for(opportunity: Opportunity) -> QuerySet[Membership]:
    """Who is told that `opportunity` opened, decided now: a subscription in force of its kind (and of
    its company, or of every company), an intent still open to that kind (hr subscribes people to a
    choice of kinds; each hears only of those that fit them), reachable by outreach (not "not now",
    consent in force) and allowed to see it (comeback's rule: audience "all", or invited / in the segment fixed at
    publication)."""
    network_id = opportunity.network_id
    through = OpeningSubscription.companies.through.objects
    subscribed = OpeningSubscription.objects.filter(
        network_id=network_id, membership=OuterRef("pk"), cancelled_at__isnull=True,
        kinds__icontains=f'"{opportunity.kind}"',
    ).filter(
        ~Exists(through.filter(openingsubscription_id=OuterRef("pk")))
        | Exists(through.filter(openingsubscription_id=OuterRef("pk"), company_id=opportunity.company_id))
    )  # fmt: skip
    people = reachable_alumni(network_id).filter(Exists(subscribed)).filter(fits_kind(opportunity.kind))
    if opportunity.audience != Opportunity.Audience.ALL:
        invited = OpportunityInvitee.objects.filter(network_id=network_id, opportunity=opportunity)
        people = people.filter(pk__in=invited.values("membership_id"))
    return people


def announce_opening(opportunity: Opportunity) -> int:
    """Tell the subscribers of a new opening (bell, and email or digest as each chose for
    opportunities), once per person per opportunity whatever the number of publications."""
    if not is_accepting(opportunity):
        return 0
    url = reverse("network:opportunity_detail", args=[opportunity.network.slug, opportunity.pk])
    return notify_each_once(
        subscribers_for(opportunity), network_id=opportunity.network_id,
        reference=opportunity_reference(opportunity.pk), kind="opportunity_new", topic=Topic.OPPORTUNITIES,
        url=url, params={"title": opportunity.title}, text=plain_excerpt(opportunity.description, 140),
    )  # fmt: skip
