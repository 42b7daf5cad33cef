"""Access helpers: the only way views fetch newsletters (404 for missing and other-network alike)."""

from __future__ import annotations

from django.shortcuts import get_object_or_404

from enishi.networks.models import Network
from enishi.newsletters.models import Newsletter


def get_newsletter(network: Network, newsletter_id: int) -> Newsletter:
    return get_object_or_404(
        Newsletter.objects.select_related("company", "segment", "network"), network=network, pk=newsletter_id
    )
