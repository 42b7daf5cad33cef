"""Alumni pages of surveys: my surveys, the answer page (phone first, branching shown by a static
script and explained in words without it) and the thank-you page."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render

from enishi.lib.errors import ActionRefused
from enishi.lib.http import NetworkRequest
from enishi.lib.pages import paginate
from enishi.notifications.services import mark_read_about
from enishi.surveys import services
from enishi.surveys.access import get_own_recipient
from enishi.surveys.models import Question, Survey, SurveyRecipient


def survey_list(request: NetworkRequest, network_slug: str) -> HttpResponse:
    page = paginate(request, services.surveys_for(request.membership))
    rows: list[SurveyRecipient] = list(page.object_list)
    waiting = [row for row in rows if services.refusal_for(row.survey, row) is None]
    others = [row for row in rows if row not in waiting]
    return render(request, "surveys/list.html", {"page": page, "waiting": waiting, "others": others})


def _not_for_you(request: NetworkRequest) -> HttpResponse:
    # The same page for a missing survey, another network's, a draft and one not addressed to the
    # member: it tells nothing about which.
    return render(request, "surveys/not_for_you.html", status=404)


def answer(request: NetworkRequest, network_slug: str, survey_id: int) -> HttpResponse:
    try:
        recipient = get_own_recipient(request.membership, survey_id)
    except Http404:
        return _not_for_you(request)
    survey = recipient.survey
    questions = list(Question.objects.filter(network_id=survey.network_id, survey=survey).select_related("show_if"))
    refusal = services.refusal_for(survey, recipient)
    given: dict[int, list[str]] = {}
    errors: dict[int, str] = {}
    if request.method == "POST" and survey.anonymous:
        # The request log line would tie the person to the minute an anonymous answer arrived.
        request.log_without_user = True  # type: ignore[attr-defined]
    if request.method == "POST" and refusal is None:
        given = {question.pk: request.POST.getlist(f"q{question.pk}") for question in questions}
        try:
            services.submit_response(survey, request.membership, given)
        except services.AnswerErrors as problems:
            errors = problems.errors
            messages.error(request, str(problems))
        except ActionRefused as refused:
            messages.error(request, str(refused))
            return redirect("network:survey_answer", network_slug, survey.pk)
        else:
            return redirect("network:survey_thanks", network_slug, survey.pk)
    elif request.method == "POST" and refusal is not None:
        messages.error(request, refusal)
    mark_read_about(request.membership, services.survey_reference(survey))
    context = {"survey": survey, "items": _items(questions, given, errors), "refusal": refusal, "preview": False}
    return render(request, "surveys/answer.html", context, status=400 if errors else 200)


def _items(questions: list[Question], given: dict[int, list[str]], errors: dict[int, str]) -> list[dict[str, object]]:
    return [
        {"question": q, "options": q.options(), "given": given.get(q.pk, []), "error": errors.get(q.pk, "")}
        for q in questions
    ]


def thanks(request: NetworkRequest, network_slug: str, survey_id: int) -> HttpResponse:
    try:
        recipient = get_own_recipient(request.membership, survey_id)
    except Http404:
        return _not_for_you(request)
    if not recipient.answered:
        return redirect("network:survey_answer", network_slug, survey_id)
    return render(request, "surveys/thanks.html", {"survey": recipient.survey})


def preview_context(survey: Survey) -> dict[str, object]:
    """The answer page as the console's preview shows it (nothing can be sent)."""
    questions = list(Question.objects.filter(network_id=survey.network_id, survey=survey).select_related("show_if"))
    return {"survey": survey, "items": _items(questions, {}, {}), "refusal": None, "preview": True}
