"""Access helpers: the only way views fetch this app's tenant objects (404 for missing and
other-network objects alike)."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404

from enishi.networks.models import Network
from enishi.profiles.models import SavedSegment


def get_segment(network: Network, segment_id: int | str) -> SavedSegment:
    try:
        pk = int(segment_id)
    except (TypeError, ValueError):
        raise Http404 from None
    return get_object_or_404(SavedSegment, network=network, pk=pk)
