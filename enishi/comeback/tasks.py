"""Background work of comeback: telling the subscribers of new openings (subscriptions.py) when an
opportunity opens. Takes an id, enters the network's scope, idempotent (notify_each_once)."""

from __future__ import annotations

from django.db import transaction
from django_scopes import scope, scopes_disabled
from django_tasks import task

from enishi.comeback import subscriptions
from enishi.comeback.models import Opportunity


@task()
def announce_opening(opportunity_id: int) -> str:
    """Tell the subscribers whose kinds (and companies) include this opportunity and who may see it.
    Resumable and safe to run twice: people who already have the notice are skipped."""
    with scopes_disabled():
        opportunity = Opportunity.objects.filter(pk=opportunity_id).select_related("network").first()
    if opportunity is None:
        return "gone"
    with scope(network=opportunity.network):
        told = subscriptions.announce_opening(opportunity)
    return f"told {told}"


def schedule_opening_news(opportunity: Opportunity) -> None:
    """Enqueue the announcement once the publication commits."""
    opportunity_id = opportunity.pk
    transaction.on_commit(lambda: announce_opening.enqueue(opportunity_id))
