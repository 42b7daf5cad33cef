"""Intake's receivers of other apps' signals: delivery reports a bounced invitation email.

Notifications delivers emails without knowing what they are about; the invitation email carries the
reference "alumni_invitation:<id>" (notifications.emails), which is all this receiver needs.
"""

from __future__ import annotations

import logging
from typing import Any

from django.dispatch import receiver
from django_scopes import scope

from enishi.notifications.emails import ALUMNI_INVITATION_REFERENCE
from enishi.notifications.models import OutboundEmail
from enishi.notifications.signals import email_bounced

logger = logging.getLogger(__name__)


@receiver(email_bounced, dispatch_uid="intake.invitation_bounced")
def invitation_bounced(sender: type[OutboundEmail], email: OutboundEmail, **kwargs: Any) -> None:
    from enishi.intake.services import record_bounce

    kind, _separator, identifier = email.reference.partition(":")
    if kind != ALUMNI_INVITATION_REFERENCE or not identifier.isdigit() or email.network is None:
        return
    with scope(network=email.network):
        if record_bounce(email.network, int(identifier), email.pk):
            logger.info("invitation bounced", extra={"invitation_id": int(identifier), "email_id": email.pk})
