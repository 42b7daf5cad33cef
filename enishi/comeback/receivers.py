"""Receivers of networks' signals (connected in apps.ready): keep the matching terms in step."""

from __future__ import annotations

from typing import Any

from enishi.comeback import matching
from enishi.networks.models import Membership, Network


def reindex_matching(sender: Any, *, network: Network, membership_ids: list[int], **kwargs: Any) -> None:
    matching.index_members(network, membership_ids)


def touch_matching(sender: Any, *, membership: Membership, **kwargs: Any) -> None:
    matching.touch_activity(membership)
