"""Template tags of the approval queue: the count of waiting registrations shown in the intake sub-nav."""

from __future__ import annotations

from django import template

from enishi.intake.approvals import waiting_count
from enishi.networks.models import Network

register = template.Library()


@register.simple_tag
def waiting_registrations(network: Network) -> int:
    """Registrations waiting for the secretariat (one COUNT on the queue's index)."""
    return waiting_count(network)
