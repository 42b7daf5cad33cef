from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from enishi.networks.roles import sections_for


def shell(request: HttpRequest) -> dict[str, Any]:
    """What the page shell needs: the current network, the role's console sections, the nonce."""
    from enishi.accounts.services import memberships_of

    membership = getattr(request, "membership", None)
    user = getattr(request, "user", None)
    return {
        # Read only by pages that show the network switcher: one query, whatever the page.
        "user_networks": SimpleLazyObject(
            lambda: memberships_of(user) if user is not None and user.is_authenticated else []
        ),
        "network": getattr(request, "network", None),
        "membership": membership,
        "console_sections": sections_for(membership.role) if membership is not None else [],
        "csp_nonce": getattr(request, "csp_nonce", ""),
    }
