from __future__ import annotations

from datetime import date

from enishi.analytics.models import ActiveDay
from enishi.directory.indexing import touch
from enishi.networks.models import Membership


def record_active_day(membership: Membership, today: date) -> bool:
    """Note that `membership` was active on `today`; cheap after the first call of the day.

    The membership row is read on every network request anyway, so its `last_active_on` tells
    whether today is already recorded without another query. Returns True when it wrote.
    """
    if membership.last_active_on == today:
        return False
    ActiveDay.objects.bulk_create(
        [ActiveDay(network_id=membership.network_id, membership=membership, day=today)],
        ignore_conflicts=True,
    )
    Membership.objects.filter(pk=membership.pk).update(last_active_on=today)
    membership.last_active_on = today
    touch(membership)  # the directory's "recently active" order
    return True
