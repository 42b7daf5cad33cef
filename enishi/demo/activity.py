"""A year of activity for the demo's alumni, so that the dashboard draws believable curves, then the
dashboard's rollups built from it.

people.py gives each member a few active days in the last three months (their last one included).
Here each alumnus or supporter gets an engagement level (most between 50 % and 95 %) and, for each
month since they registered, up to the month of their last active day, that level's chance
of one to four active days in it. No day falls before their registration or after their last active
day, so `last_active_on` stays the truth. The monthly active ratio then lands around 50–70 % while
registrations grow month after month (people.py spreads them over 18 months).
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from django.utils import timezone
from django_scopes import scope

from enishi.analytics import rollups
from enishi.analytics.models import ActiveDay, MemberFacts, MonthlyCount, RollupState
from enishi.demo.services import BATCH_SIZE, Target
from enishi.networks.models import Membership
from enishi.networks.roles import ALUMNI_ROLES, MembershipState

MONTHS = 12
MAX_DAYS_PER_MONTH = 4


def seed_activity(target: Target, today: date) -> int:
    """Active days over the last MONTHS months for the network's alumni; the rollups rebuilt. Returns
    the number of days added."""
    network = target.network
    rng = random.Random(f"activity:{network.slug}")
    zone = rollups.zone_of(network)
    first = rollups.month_start(today)
    for _month in range(MONTHS - 1):
        first = rollups.month_start(first - timedelta(days=1))
    with scope(network=network):
        members = list(
            Membership.objects.filter(network=network, role__in=ALUMNI_ROLES, state=MembershipState.ACTIVE,
                                      activated_at__isnull=False, last_active_on__isnull=False)
            .order_by("pk").values_list("pk", "activated_at", "last_active_on")
        )  # fmt: skip
        existing = set(ActiveDay.objects.filter(network=network).values_list("membership_id", "day"))
        days: list[ActiveDay] = []
        for membership_id, activated_at, last in members:
            assert activated_at is not None
            assert last is not None
            joined = timezone.localtime(activated_at, zone).date()
            level = rng.betavariate(6, 2)  # mean 0.75
            month = max(first, rollups.month_start(joined))
            while month <= rollups.month_start(last):
                if rng.random() < level:
                    for _day in range(rng.randint(1, MAX_DAYS_PER_MONTH)):
                        day = month + timedelta(days=rng.randint(0, 27))
                        if joined <= day < last and (membership_id, day) not in existing:
                            existing.add((membership_id, day))
                            days.append(ActiveDay(network=network, membership_id=membership_id, day=day))
                month = rollups.month_start(month + timedelta(days=32))
        ActiveDay.objects.bulk_create(days, batch_size=BATCH_SIZE)
    rollups.rebuild(network)
    return len(days)


def remove_rollups(network_ids: list[int]) -> None:
    """The dashboard's rollups of these networks, as single DELETEs (the demo's reset)."""
    for model in (MemberFacts, MonthlyCount, RollupState):
        model.objects.filter(network_id__in=network_ids).delete()
