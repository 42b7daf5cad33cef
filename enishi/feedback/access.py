"""Access helpers: the only way views fetch this app's tenant objects (404 for missing, forbidden and
other-network objects alike)."""

from __future__ import annotations

from django.shortcuts import get_object_or_404

from enishi.feedback.models import Feedback, FeedbackTopic
from enishi.networks.models import Network


def get_feedback(network: Network, feedback_id: int) -> Feedback:
    return get_object_or_404(Feedback.objects.select_related("topic", "membership__user"), network=network,
                             pk=feedback_id)  # fmt: skip


def get_topic(network: Network, topic_id: int) -> FeedbackTopic:
    return get_object_or_404(FeedbackTopic, network=network, pk=topic_id)
