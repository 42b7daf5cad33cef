from __future__ import annotations

from datetime import date

from django.utils import timezone
from django_scopes import scopes_disabled

from conftest import PersonaNetwork
from enishi.feedback import services
from enishi.feedback.models import Feedback, FeedbackTopic


def topic(net: PersonaNetwork, index: int = 0) -> FeedbackTopic:
    with scopes_disabled():
        return services.topics_of(net.network)[index]


def make_feedback(
    net: PersonaNetwork,
    persona: str | None = "alumnus1",
    text: str = "研修制度をもっと知りたい",
    status: str = Feedback.Status.NEW,
    received_on: date | None = None,
) -> Feedback:
    """A named piece of feedback of `persona`, or an anonymous one (persona None), as send_feedback stores it."""
    with scopes_disabled():
        membership = net.memberships[persona] if persona else net.memberships["alumnus1"]
        item = services.send_feedback(membership, topic(net), text, anonymous=persona is None)
        changed = []
        if status != item.status:
            item.status = status
            changed.append("status")
            if status == Feedback.Status.ACTED_ON:
                item.acted_on_at = timezone.now()
                changed.append("acted_on_at")
        if received_on is not None:
            item.received_on = received_on
            changed.append("received_on")
        if changed:
            item.save(update_fields=changed)
        return item
