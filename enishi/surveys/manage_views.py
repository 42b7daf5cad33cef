"""Console pages of surveys (section "surveys"): editors and admins write surveys (settings, questions
while draft, open, close, remind, preview); analysts and admins read results and export them
(roles.SURVEY_WRITER_ROLES / SURVEY_READER_ROLES). Everyone of the section sees the list and counts."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from enishi.lib.errors import ActionRefused
from enishi.lib.exports import EXPORT_FORMATS, spreadsheet_response
from enishi.lib.http import NetworkRequest
from enishi.lib.pages import paginate
from enishi.networks.decorators import console_section
from enishi.networks.roles import SURVEY_READER_ROLES, SURVEY_WRITER_ROLES
from enishi.privacy.services import audit
from enishi.surveys import results, services
from enishi.surveys.access import get_question, get_survey
from enishi.surveys.forms import QuestionForm, SurveyForm
from enishi.surveys.models import Question, Survey, SurveyRecipient
from enishi.surveys.views import preview_context

View = Callable[..., HttpResponse]


def _only(roles: frozenset[str]) -> Callable[[View], View]:
    """Within the section, a page for some of its roles only (the same 404 for the others)."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapper(request: NetworkRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.membership.role not in roles:
                raise Http404
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


writers_only = _only(SURVEY_WRITER_ROLES)
readers_only = _only(SURVEY_READER_ROLES)


def _roles(request: NetworkRequest) -> dict[str, bool]:
    role = request.membership.role
    return {"can_write": role in SURVEY_WRITER_ROLES, "can_read": role in SURVEY_READER_ROLES}


def _counted(queryset: Any) -> Any:
    return queryset.annotate(
        recipient_count=Count("recipients", distinct=True),
        answered_count=Count("recipients", filter=Q(recipients__answered=True), distinct=True),
        question_count=Count("questions", distinct=True),
    )


@console_section("surveys")
def survey_list(request: NetworkRequest, network_slug: str) -> HttpResponse:
    status = request.GET.get("status", "")
    surveys = Survey.objects.filter(network=request.network)
    if status in Survey.Status.values:
        surveys = surveys.filter(status=status)
    page = paginate(request, _counted(surveys).order_by("-created_at", "-id"))
    context = {"page": page, "surveys": page.object_list, "status": status, "statuses": Survey.Status.choices,
               **_roles(request)}  # fmt: skip
    return render(request, "surveys/manage_list.html", context)


@console_section("surveys")
def survey_detail(request: NetworkRequest, network_slug: str, survey_id: int) -> HttpResponse:
    survey = get_survey(request.network, survey_id)
    counted = _counted(Survey.objects.filter(network=request.network, pk=survey.pk)).get()
    reminded = SurveyRecipient.objects.filter(network=request.network, survey=survey, reminded_at__isnull=False)
    questions = Question.objects.filter(network=request.network, survey=survey).select_related("show_if")
    context = {"survey": counted, "questions": questions, "reminded": reminded.count(), **_roles(request)}
    return render(request, "surveys/manage_detail.html", context)


@console_section("surveys")
@writers_only
def survey_edit(request: NetworkRequest, network_slug: str, survey_id: int | None = None) -> HttpResponse:
    network = request.network
    survey = get_survey(network, survey_id) if survey_id is not None else Survey(network=network)
    if survey.status == Survey.Status.CLOSED:
        messages.error(request, _("This survey is closed and can no longer change."))
        return redirect("manage:survey_detail", network_slug, survey.pk)
    form = SurveyForm(request.POST or None, instance=survey, network=network)
    if request.method == "POST" and form.is_valid():
        saved = services.save_survey(form.save(commit=False), request.user, request=request)
        messages.success(request, _("The survey was saved."))
        target = "manage:survey_questions" if survey_id is None else "manage:survey_detail"
        return redirect(target, network_slug, saved.pk)
    return render(request, "surveys/manage_form.html", {"form": form, "survey": survey, **_roles(request)})


@console_section("surveys")
@writers_only
def questions(request: NetworkRequest, network_slug: str, survey_id: int) -> HttpResponse:
    survey = get_survey(request.network, survey_id)
    return _question_page(request, survey, None)


@console_section("surveys")
@writers_only
def question_edit(request: NetworkRequest, network_slug: str, survey_id: int, question_id: int) -> HttpResponse:
    survey = get_survey(request.network, survey_id)
    return _question_page(request, survey, get_question(survey, question_id))


def _question_page(request: NetworkRequest, survey: Survey, question: Question | None) -> HttpResponse:
    instance = question or Question(network=request.network, survey=survey)
    form = QuestionForm(request.POST or None, instance=instance, survey=survey)
    if request.method == "POST":
        if not survey.is_draft:
            messages.error(request, _("This survey is open or closed: its questions can no longer change."))
            return redirect("manage:survey_questions", request.network.slug, survey.pk)
        if form.is_valid():
            try:
                services.save_question(form.save(commit=False), request.user, request=request)
            except ActionRefused as refused:
                messages.error(request, str(refused))
            else:
                messages.success(request, _("The question was saved."))
                return redirect("manage:survey_questions", request.network.slug, survey.pk)
    listed = Question.objects.filter(network=request.network, survey=survey).select_related("show_if")
    context = {"survey": survey, "form": form, "question": question, "questions": listed, **_roles(request)}
    return render(request, "surveys/manage_questions.html", context, status=400 if form.errors else 200)


@require_POST
@console_section("surveys")
@writers_only
def question_move(request: NetworkRequest, network_slug: str, survey_id: int, question_id: int) -> HttpResponse:
    survey = get_survey(request.network, survey_id)
    question = get_question(survey, question_id)
    step = {"up": -1, "down": 1}.get(request.POST.get("direction", ""))
    if step is None:
        raise Http404
    try:
        services.move_question(question, step, request.user, request=request)
    except ActionRefused as refused:
        messages.error(request, str(refused))
    return redirect("manage:survey_questions", network_slug, survey.pk)


@require_POST
@console_section("surveys")
@writers_only
def question_delete(request: NetworkRequest, network_slug: str, survey_id: int, question_id: int) -> HttpResponse:
    survey = get_survey(request.network, survey_id)
    question = get_question(survey, question_id)
    try:
        services.delete_question(question, request.user, request=request)
    except ActionRefused as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, _("The question was removed."))
    return redirect("manage:survey_questions", network_slug, survey.pk)


@require_POST
@console_section("surveys")
@writers_only
def survey_status(request: NetworkRequest, network_slug: str, survey_id: int) -> HttpResponse:
    survey = get_survey(request.network, survey_id)
    action = request.POST.get("action", "")
    try:
        if action == "open":
            count = services.open_survey(survey, request.user, request=request)
            messages.success(request, _("The survey is open: %(count)d people are asked.") % {"count": count})
        elif action == "close":
            if not services.close_survey(survey, request.user, request=request):
                raise ActionRefused(_("Only an open survey can be closed."))
            messages.success(request, _("The survey is closed."))
        elif action == "remind":
            count = services.remind(survey, request.user, request=request)
            messages.success(request, _("Reminders sent: %(count)d.") % {"count": count})
        else:
            raise Http404
    except ActionRefused as refused:
        messages.error(request, str(refused))
    return redirect("manage:survey_detail", network_slug, survey.pk)


@console_section("surveys")
@writers_only
def preview(request: NetworkRequest, network_slug: str, survey_id: int) -> HttpResponse:
    survey = get_survey(request.network, survey_id)
    context = {**preview_context(survey), "base_template": "manage/base.html", **_roles(request)}
    return render(request, "surveys/answer.html", context)


@console_section("surveys")
@readers_only
def survey_results(request: NetworkRequest, network_slug: str, survey_id: int) -> HttpResponse:
    survey = get_survey(request.network, survey_id)
    dimension = request.GET.get("by", "")
    group = request.GET.get("group")
    found = results.survey_results(survey, dimension, group, crosstab=bool(dimension) and group is None)
    if found.refused:
        messages.warning(request, found.refused)
    recipients = SurveyRecipient.objects.filter(network=request.network, survey=survey).aggregate(
        n=Count("id"), answered=Count("id", filter=Q(answered=True))
    )
    audit(request.network, request.user, "survey.results_viewed", survey, request=request,
          by=found.dimension, group=found.group.key if found.group else None)  # fmt: skip
    context = {"survey": survey, "results": found, "recipients": recipients, "dimensions": results.DIMENSIONS,
               "formats": EXPORT_FORMATS, **_roles(request)}  # fmt: skip
    return render(request, "surveys/manage_results.html", context)


@console_section("surveys")
@readers_only
def survey_export(request: NetworkRequest, network_slug: str, survey_id: int) -> HttpResponse:
    survey = get_survey(request.network, survey_id)
    export_format = request.GET.get("format", "csv")
    if export_format not in EXPORT_FORMATS:
        raise Http404
    refusal = results.export_refusal(survey)
    if refusal is not None:
        messages.error(request, refusal)
        return redirect("manage:survey_results", network_slug, survey.pk)
    headers, rows = results.export_table(survey)
    table = list(rows)
    audit(request.network, request.user, "survey.results_exported", survey, request=request, rows=len(table),
          format=export_format)  # fmt: skip
    filename = f"survey-{survey.pk}-{timezone.localdate():%Y%m%d}"
    return spreadsheet_response(headers, table, export_format, sheet_title=str(_("Answers")), filename=filename)
