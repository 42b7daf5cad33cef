from __future__ import annotations

from typing import Any

from allauth.account.adapter import get_adapter as get_account_adapter
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import HttpRequest

from enishi.accounts.models import User
from enishi.networks.models import Network
from enishi.privacy.actions import AUDIT_ACTIONS
from enishi.privacy.models import AuditEntry


def client_ip(request: HttpRequest | None) -> str | None:
    """The visitor's address, through trusted proxies (ALLAUTH_TRUSTED_PROXY_COUNT) like rate limits."""
    if request is None:
        return None
    try:
        return get_account_adapter().get_client_ip(request) or None
    except PermissionDenied:  # no usable address (e.g. a proxy header that does not match)
        return None


def audit(
    network: Network,
    actor: User | None,
    action: str,
    target: models.Model | None = None,
    *,
    request: HttpRequest | None = None,
    **data: Any,
) -> AuditEntry:
    """Record that `actor` did `action` (a key of AUDIT_ACTIONS) to `target` in `network`."""
    if action not in AUDIT_ACTIONS:
        raise ValueError(f"Unknown audit action {action!r}: add it to privacy/actions.py")
    return AuditEntry.objects.create(
        network=network,
        actor=actor,
        actor_label=(actor.email if actor is not None else ""),
        action=action,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        target_label=str(target)[:200] if target is not None else "",
        data=data,
        ip_address=client_ip(request),
    )
