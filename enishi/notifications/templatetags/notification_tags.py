"""The bell in the page shell: `{% load notification_tags %}{% notification_bell %}`."""

from __future__ import annotations

from typing import Any

from django import template

from enishi.notifications.services import unread_count

register = template.Library()

# More than this shows as "99+": the badge stays small.
BADGE_MAX = 99


@register.inclusion_tag("notifications/_bell.html", takes_context=True)
def notification_bell(context: template.Context) -> dict[str, Any]:
    """One COUNT query, only on pages of a network where the person is a member."""
    network = context.get("network")
    membership = context.get("membership")
    if network is None or membership is None or membership.network_id != network.pk:
        return {"show": False}
    count = unread_count(membership)
    return {
        "show": True,
        "network": network,
        "count": count,
        "badge": f"{BADGE_MAX}+" if count > BADGE_MAX else str(count),
        "current": getattr(context.get("request"), "resolver_match", None) is not None
        and context["request"].resolver_match.url_name == "notifications",
    }
