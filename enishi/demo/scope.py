"""Demo of hr's company scope and of the subscriptions to new openings (issue 7).

- The group network's hr account covers the first two companies (the network does not restrict hr
  until the administrator turns it on in Settings, so the demo's pages stay complete).
- A share of the generated alumni who are open to coming back agreed to be contacted about rehiring;
  a few open to projects asked for news of projects and collaboration calls themselves, and hr
  subscribed those whose intent fits to news of full-time, contract and side-job openings. The
  subscribers of the open opportunities have had their notice (the same once-per-person rule as a
  publication). The named alumni have no profile yet: once 佐藤 says in his intent which work he is
  open to, the opportunities page offers him the news.
"""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.db.models import Exists, OuterRef
from django_scopes import scope

from enishi.comeback import subscriptions
from enishi.comeback.models import OpeningSubscription, Opportunity
from enishi.demo.services import Target
from enishi.networks.models import Membership
from enishi.networks.roles import ALUMNI_ROLES, MembershipState, Role
from enishi.privacy.models import Consent, ConsentPurpose

COVERED_COMPANIES = 2  # of the group's companies, in the catalogue's order
CONSENT_EVERY = 3  # one in three of the generated alumni open to return agreed to rehire contact
SUBSCRIBED_KINDS: list[str] = [Opportunity.Kind.FULL_TIME, Opportunity.Kind.CONTRACT, Opportunity.Kind.SIDE_JOB]
SELF_SUBSCRIBERS = 5


def seed_scope(target: Target, today: date) -> int:
    """Returns how many subscriptions to new openings the network holds afterwards."""
    network = target.network
    with transaction.atomic(), scope(network=network):
        hr = Membership.objects.filter(network=network, role=Role.HR).select_related("user").order_by("pk").first()
        if hr is None:
            return 0
        if len(target.companies) > 1:
            hr.covered_companies.set(list(target.companies)[:COVERED_COMPANIES])
        _rehire_consents(target)
        # A few alumni open to projects asked for that news themselves; then hr subscribed the rest.
        own_choice = [Opportunity.Kind.PROJECT, Opportunity.Kind.COLLABORATION_CALL]
        for member in subscriptions.fitting_alumni(network.pk, own_choice).order_by("pk")[:SELF_SUBSCRIBERS]:
            subscriptions.start(member, own_choice)
        subscriptions.subscribe_fitting(network, hr.user, SUBSCRIBED_KINDS, [])
        for opportunity in Opportunity.objects.filter(network=network, status=Opportunity.Status.OPEN):
            subscriptions.announce_opening(opportunity)
        return OpeningSubscription.objects.filter(network=network, cancelled_at__isnull=True).count()


def _rehire_consents(target: Target) -> None:
    """Every third generated alumnus with a stated wish to return (and without the consent yet)."""
    network = target.network
    has_consent = Consent.objects.filter(network=network, membership=OuterRef("pk"),
                                         purpose=ConsentPurpose.REHIRE_CONTACT)  # fmt: skip
    open_to_return = (
        Membership.objects.filter(network=network, role__in=ALUMNI_ROLES, state=MembershipState.ACTIVE,
                                  profile__intent__not_now=False)
        .exclude(profile__intent__return_modes=[])
        .exclude(Exists(has_consent))
        .order_by("pk")
        .values_list("pk", "activated_at")
    )  # fmt: skip
    Consent.objects.bulk_create(
        Consent(network=network, membership_id=pk, purpose=ConsentPurpose.REHIRE_CONTACT, notice_version=1,
                granted_at=joined)
        for index, (pk, joined) in enumerate(open_to_return)
        if index % CONSENT_EVERY == 0 and joined is not None
    )  # fmt: skip
