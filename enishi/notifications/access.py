"""Access helpers: the only way views fetch notifications (404 for someone else's and other networks')."""

from __future__ import annotations

from django.shortcuts import get_object_or_404

from enishi.networks.models import Membership
from enishi.notifications.models import Notification


def get_notification(membership: Membership, notification_id: int) -> Notification:
    """One of the member's own notifications."""
    return get_object_or_404(Notification, network_id=membership.network_id, recipient=membership, pk=notification_id)
