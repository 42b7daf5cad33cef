"""Background work of surveys: telling the recipients of a survey that has just opened.

The closing at the set time and the automatic reminder are a maintenance job of the worker
(services.survey_maintenance).
"""

from __future__ import annotations

from django_scopes import scope, scopes_disabled
from django_tasks import task

from enishi.networks.models import Membership
from enishi.notifications.services import notify_each_once
from enishi.notifications.topics import Topic
from enishi.surveys.models import Survey, SurveyRecipient
from enishi.surveys.services import survey_path, survey_reference


@task(queue_name="default")
def announce_survey(survey_id: int) -> int:
    """Tell each recipient of an open survey that it waits for them (once each, even if retried)."""
    with scopes_disabled():  # the task only has the id: find the survey's network first
        survey = Survey.objects.select_related("network").filter(pk=survey_id).first()
    if survey is None:
        return 0
    with scope(network=survey.network):
        if survey.status != Survey.Status.OPEN:
            return 0
        people = Membership.objects.filter(
            network=survey.network,
            pk__in=SurveyRecipient.objects.filter(network=survey.network, survey=survey, answered=False).values(
                "membership_id"
            ),
        ).select_related("user")
        return notify_each_once(
            people, network_id=survey.network_id, reference=survey_reference(survey), kind="survey_open",
            topic=Topic.SURVEYS, url=survey_path(survey), params={"title": survey.title},
        )  # fmt: skip
