"""Template tags other apps' templates use: the navigation's unread count, the profile's message links."""

from __future__ import annotations

from typing import Any

from django import template

from enishi.messaging import services
from enishi.messaging.models import Block
from enishi.networks.models import Membership
from enishi.networks.roles import ALUMNI_ROLES

register = template.Library()


@register.simple_tag
def unread_messages(membership: Membership | None) -> int:
    """Unread messages and secretariat replies of an alumnus (one query; 0 and none for staff)."""
    if membership is None or membership.role not in ALUMNI_ROLES:
        return 0
    return services.unread_total(membership)


@register.simple_tag
def messaging_links(viewer: Membership | None, shown: Membership | None) -> dict[str, Any]:
    """What the profile page offers about messages: write (when allowed), block or unblock."""
    if viewer is None or shown is None or viewer.pk == shown.pk or viewer.role not in ALUMNI_ROLES:
        return {"show": False}
    if shown.role not in ALUMNI_ROLES:
        return {"show": False}
    blocked_by_me = Block.objects.filter(network_id=viewer.network_id, blocker=viewer, blocked=shown).exists()
    return {"show": True, "can_message": services.can_message(viewer, shown), "blocked_by_me": blocked_by_me}
