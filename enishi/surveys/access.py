"""Access helpers: the only way views fetch this app's tenant objects (404 for missing, forbidden and
other-network objects alike)."""

from __future__ import annotations

from django.shortcuts import get_object_or_404

from enishi.networks.models import Membership, Network
from enishi.surveys.models import Question, Survey, SurveyRecipient


def get_survey(network: Network, survey_id: int) -> Survey:
    """Any survey of the network, drafts included (the console)."""
    return get_object_or_404(
        Survey.objects.select_related("network", "company", "segment", "event"), network=network, pk=survey_id
    )


def get_question(survey: Survey, question_id: int) -> Question:
    return get_object_or_404(
        Question.objects.select_related("survey__network", "show_if"),
        network_id=survey.network_id, survey=survey, pk=question_id,
    )  # fmt: skip


def get_own_recipient(membership: Membership, survey_id: int) -> SurveyRecipient:
    """The member's place in the audience of a survey that is not a draft: the alumni pages of a
    survey exist only for the people it asks."""
    return get_object_or_404(
        SurveyRecipient.objects.select_related("survey__network").exclude(survey__status=Survey.Status.DRAFT),
        network_id=membership.network_id, membership=membership, survey_id=survey_id,
    )  # fmt: skip
