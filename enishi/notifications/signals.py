"""Signals of notifications: the one way delivery tells other apps what happened to an email.

Delivery is generic (an OutboundEmail knows nothing of invitations); an app that cares about the
fate of its emails sets `reference` when it queues one and listens here.
"""

from __future__ import annotations

from django.dispatch import Signal

# Sent once, after the row is marked bounced, with `email` (the OutboundEmail).
email_bounced = Signal()
