from __future__ import annotations

from datetime import date

from enishi.analytics import rollups
from enishi.analytics.models import ActiveDay
from enishi.directory.indexing import touch
from enishi.networks.models import Membership


def record_active_day(membership: Membership, today: date) -> bool:
    """Note that `membership` was active on `today`; cheap after the first call of the day.

    The membership row is read on every network request anyway, so its `last_active_on` tells
    whether today is already recorded without another query. Returns True when it wrote.

    The update of `last_active_on` is conditional on its previous value: of two simultaneous first
    requests only one moves it, and only that one counts the member among the month's and the
    week's actives (the rollups of the dashboard) when today opens a new month or week for them.
    """
    previous = membership.last_active_on
    if previous == today:
        return False
    ActiveDay.objects.bulk_create(
        [ActiveDay(network_id=membership.network_id, membership=membership, day=today)],
        ignore_conflicts=True,
    )
    moved = Membership.objects.filter(pk=membership.pk, last_active_on=previous).update(last_active_on=today)
    membership.last_active_on = today
    touch(membership)  # the directory's "recently active" order
    if moved and (previous is None or previous < today):
        new_month = previous is None or rollups.month_start(previous) != rollups.month_start(today)
        new_week = previous is None or rollups.week_start(previous) != rollups.week_start(today)
        if new_month or new_week:
            rollups.count_active(membership, today, new_month, new_week)
    return True
