"""Console pages of comeback (section "opportunities": admin, hr): the opportunities with their
counts, the opportunity form, scheme pages, and each opportunity's candidates: the list with bulk stage
changes, one candidate (audit-logged) with notes and their employment records, exports.

Rehire eligibility and HR notes (intake's EmploymentRecord) appear here only, never on an alumni page.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from enishi.comeback import matching, services
from enishi.comeback.access import (
    get_candidate,
    get_opportunity,
    get_scheme,
    get_stage,
    opportunities_in_reach,
    records_in_reach,
)
from enishi.comeback.forms import (
    CandidateForm,
    CandidateMessageForm,
    NoteForm,
    OpportunityForm,
    SchemeForm,
    StageEditForm,
    StageForm,
)
from enishi.comeback.models import (
    Application,
    Candidate,
    CandidateNote,
    ComebackScheme,
    Interest,
    Opportunity,
    Stage,
)
from enishi.lib.errors import ActionRefused
from enishi.lib.exports import EXPORT_FORMATS, spreadsheet_response
from enishi.lib.http import NetworkRequest
from enishi.lib.pages import paginate
from enishi.networks.access import covered_company_ids
from enishi.networks.decorators import console_section
from enishi.networks.models import Membership
from enishi.privacy.services import audit

CANDIDATES_PAGE_SIZE = 50
STATUS_ACTIONS = {
    "open": Opportunity.Status.OPEN,
    "pause": Opportunity.Status.PAUSED,
    "close": Opportunity.Status.CLOSED,
}


@console_section("opportunities")
def opportunity_list(request: NetworkRequest, network_slug: str) -> HttpResponse:
    status = request.GET.get("status", "")
    opportunities = opportunities_in_reach(request.membership).select_related("company")
    if status in Opportunity.Status.values:
        opportunities = opportunities.filter(status=status)
    opportunities = opportunities.annotate(
        candidate_count=Count("candidates", distinct=True),
        interest_count=Count("interests", filter=Q(interests__withdrawn_at__isnull=True), distinct=True),
        application_count=Count(
            "applications", filter=Q(applications__status=Application.Status.SUBMITTED), distinct=True
        ),
        hire_count=Count("candidates", filter=Q(candidates__stage__kind=Stage.Kind.HIRED), distinct=True),
    ).order_by("-created_at", "-id")
    page = paginate(request, opportunities)
    context = {"page": page, "opportunities": page.object_list, "status": status,
               "statuses": Opportunity.Status.choices}  # fmt: skip
    return render(request, "comeback/manage_list.html", context)


@console_section("opportunities")
def opportunity_edit(request: NetworkRequest, network_slug: str, opportunity_id: int | None = None) -> HttpResponse:
    network = request.network
    opportunity = (
        get_opportunity(network, opportunity_id, staff=request.membership)
        if opportunity_id is not None
        else Opportunity(network=network)
    )
    form = OpportunityForm(request.POST or None, instance=opportunity, network=network,
                           covered_companies=covered_company_ids(request.membership))  # fmt: skip
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            saved = services.save_opportunity(form.save(commit=False), request.user, request=request)
            form.save_m2m()
            matching.index_opportunity(saved)
            if saved.audience == Opportunity.Audience.INVITED:
                services.fix_invitees(saved, form.invited_ids)
            if request.POST.get("publish") and saved.status != Opportunity.Status.OPEN:
                services.set_status(saved, Opportunity.Status.OPEN, request.user, request=request)
        messages.success(request, _("The opportunity was saved."))
        return redirect("manage:opportunity_edit", network_slug, saved.pk)
    return render(request, "comeback/manage_form.html", {"form": form, "opportunity": opportunity})


@require_POST
@console_section("opportunities")
def opportunity_status(request: NetworkRequest, network_slug: str, opportunity_id: int) -> HttpResponse:
    opportunity = get_opportunity(request.network, opportunity_id, staff=request.membership)
    status = STATUS_ACTIONS.get(request.POST.get("action", ""))
    if status is None:
        raise Http404
    services.set_status(opportunity, status, request.user, request=request)
    messages.success(request, _("The status is now: %(status)s.") % {"status": opportunity.get_status_display()})
    return redirect("manage:opportunity_edit", network_slug, opportunity.pk)


# --- Candidates ------------------------------------------------------------------------------------


def _records(staff: Membership) -> Prefetch[str]:
    return Prefetch(
        "membership__employment_records",
        queryset=records_in_reach(staff).select_related("company").order_by("-leave_date", "-id"),
        to_attr="records",
    )


def _candidates(opportunity: Opportunity, staff: Membership) -> QuerySet[Candidate]:
    interests = Interest.objects.filter(opportunity=opportunity, membership=OuterRef("membership"),
                                        withdrawn_at__isnull=True)  # fmt: skip
    applications = Application.objects.filter(opportunity=opportunity, membership=OuterRef("membership"),
                                              status=Application.Status.SUBMITTED)  # fmt: skip
    return (
        Candidate.objects.filter(network_id=opportunity.network_id, opportunity=opportunity)
        .select_related("membership__user", "stage")
        .prefetch_related(_records(staff))
        .annotate(interested=Exists(interests), applied=Exists(applications))
        .order_by("stage__position", "-updated_at", "-id")
    )


@console_section("opportunities")
def candidates(request: NetworkRequest, network_slug: str, opportunity_id: int) -> HttpResponse:
    """The pipeline as a list (a constant number of queries for any number of candidates)."""
    network = request.network
    opportunity = get_opportunity(network, opportunity_id, staff=request.membership)
    stages = services.stages_of(network)
    stage_filter = request.GET.get("stage", "")
    shown = _candidates(opportunity, request.membership)
    if stage_filter.isdigit():
        shown = shown.filter(stage_id=int(stage_filter))
    counts = dict(
        Candidate.objects.filter(opportunity=opportunity).values_list("stage_id").annotate(n=Count("id")).order_by()
    )
    page = paginate(request, shown, per_page=CANDIDATES_PAGE_SIZE)
    audit(network, request.user, "candidates.listed", opportunity, request=request)
    context = {
        "opportunity": opportunity,
        "page": page,
        "candidates": page.object_list,
        "stages": [(stage, counts.get(stage.pk, 0)) for stage in stages],
        "stage_filter": stage_filter,
        "move_form": StageForm(stages=stages),
        "formats": EXPORT_FORMATS,
    }
    return render(request, "comeback/manage_candidates.html", context)


@console_section("opportunities")
def board(request: NetworkRequest, network_slug: str, opportunity_id: int) -> HttpResponse:
    """The pipeline as a board: one column per stage with its candidates' names, and on each card a
    small form to move that person (to candidates_move). A constant number of queries."""
    network = request.network
    opportunity = get_opportunity(network, opportunity_id, staff=request.membership)
    stages = services.stages_of(network)
    columns: dict[int, list[Candidate]] = {stage.pk: [] for stage in stages}
    people = (
        Candidate.objects.filter(network=network, opportunity=opportunity)
        .select_related("membership__user")
        .order_by("-updated_at", "-id")
    )
    for person in people:
        columns.setdefault(person.stage_id, []).append(person)
    audit(network, request.user, "candidates.listed", opportunity, request=request, view="board")
    context = {
        "opportunity": opportunity,
        "stages": stages,
        "columns": [(stage, columns[stage.pk]) for stage in stages],
    }
    return render(request, "comeback/manage_board.html", context)


@require_POST
@console_section("opportunities")
def candidates_move(request: NetworkRequest, network_slug: str, opportunity_id: int) -> HttpResponse:
    """A bulk (or single) stage change: the checked `candidate` ids of this opportunity."""
    network = request.network
    opportunity = get_opportunity(network, opportunity_id, staff=request.membership)
    form = StageForm(request.POST, stages=services.stages_of(network))
    ids = [int(value) for value in request.POST.getlist("candidate") if value.isdigit()]
    if not form.is_valid() or not ids:
        messages.error(request, _("Choose the candidates and the stage."))
        return redirect("manage:opportunity_candidates", network_slug, opportunity.pk)
    chosen = Candidate.objects.filter(network=network, opportunity=opportunity, pk__in=ids).select_related(
        "membership__network", "opportunity", "stage"
    )
    moved = services.move(chosen, form.cleaned_data["stage"], request.membership,
                          hired_on=form.cleaned_data.get("hired_on"), request=request)  # fmt: skip
    messages.success(request, _("Moved: %(count)d.") % {"count": moved})
    back = request.POST.get("back", "")
    if back == "board":
        return redirect("manage:opportunity_board", network_slug, opportunity.pk)
    if back.isdigit() and int(back) in ids:
        return redirect("manage:opportunity_candidate", network_slug, opportunity.pk, int(back))
    return redirect("manage:opportunity_candidates", network_slug, opportunity.pk)


@console_section("opportunities")
def candidate(request: NetworkRequest, network_slug: str, opportunity_id: int, candidate_id: int) -> HttpResponse:
    """One candidate: their answers, interest note, stage, next step, notes, and beside them their
    employment records with rehire eligibility and HR notes (staff only). Every view is audit-logged."""
    network = request.network
    opportunity = get_opportunity(network, opportunity_id, staff=request.membership)
    person = get_candidate(opportunity, candidate_id)
    form = CandidateForm(request.POST or None, instance=person, prefix="candidate")
    note_form = NoteForm(request.POST or None, prefix="note")
    if request.method == "POST":
        if "save_candidate" in request.POST and form.is_valid():
            form.save()
            messages.success(request, _("Saved."))
            return redirect("manage:opportunity_candidate", network_slug, opportunity.pk, person.pk)
        if "add_note" in request.POST and note_form.is_valid():
            services.add_note(person, request.user, note_form.cleaned_data["body"], request=request)
            messages.success(request, _("The note was added."))
            return redirect("manage:opportunity_candidate", network_slug, opportunity.pk, person.pk)
    audit(network, request.user, "candidate.viewed", person, request=request, membership=person.membership_id)
    context = {
        "opportunity": opportunity,
        "candidate": person,
        "form": form,
        "note_form": note_form,
        "move_form": StageForm(stages=services.stages_of(network), initial={"stage": person.stage_id}),
        "interest": Interest.objects.filter(opportunity=opportunity, membership=person.membership).first(),
        "application": Application.objects.filter(opportunity=opportunity, membership=person.membership).first(),
        "notes": list(CandidateNote.objects.filter(candidate=person).select_related("author")),
        "message_form": CandidateMessageForm(),
        "records": list(
            records_in_reach(request.membership)
            .filter(membership=person.membership)
            .select_related("company")
            .order_by("-leave_date", "-id")
        ),
    }
    return render(request, "comeback/manage_candidate.html", context)


@require_POST
@console_section("opportunities")
def candidate_message(
    request: NetworkRequest, network_slug: str, opportunity_id: int, candidate_id: int
) -> HttpResponse:
    """hr writes to the candidate through the secretariat inbox (see services.message_candidate)."""
    opportunity = get_opportunity(request.network, opportunity_id, staff=request.membership)
    person = get_candidate(opportunity, candidate_id)
    form = CandidateMessageForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Write the message."))
    else:
        try:
            services.message_candidate(person, request.membership, form.cleaned_data["text"], request=request)
        except ActionRefused as refusal:
            messages.error(request, str(refusal))
        else:
            messages.success(request, _("The message was sent. The candidate reads it in their inbox."))
    return redirect("manage:opportunity_candidate", network_slug, opportunity.pk, person.pk)


@console_section("opportunities")
def candidate_resume(
    request: NetworkRequest, network_slug: str, opportunity_id: int, candidate_id: int
) -> HttpResponse:
    opportunity = get_opportunity(request.network, opportunity_id, staff=request.membership)
    person = get_candidate(opportunity, candidate_id)
    found = Application.objects.filter(opportunity=opportunity, membership=person.membership).first()
    if found is None or not found.resume or not default_storage.exists(found.resume.name):
        raise Http404
    audit(request.network, request.user, "candidate.resume_downloaded", person, request=request)
    extension = found.resume.name.rsplit(".", 1)[-1]
    content_types = {"pdf": "application/pdf", "doc": "application/msword",
                     "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}  # fmt: skip
    with default_storage.open(found.resume.name, "rb") as stored:
        response = HttpResponse(stored.read(), content_type=content_types.get(extension, "application/octet-stream"))
    response["Content-Disposition"] = f'attachment; filename="resume-{person.pk}.{extension}"'
    return response


@console_section("opportunities")
def candidates_export(request: NetworkRequest, network_slug: str, opportunity_id: int) -> HttpResponse:
    network = request.network
    opportunity = get_opportunity(network, opportunity_id, staff=request.membership)
    export_format = request.GET.get("format", "csv")
    if export_format not in EXPORT_FORMATS:
        raise Http404
    people: list[Any] = list(_candidates(opportunity, request.membership))  # annotated: interested, applied
    answers = {
        a.membership_id: a.answers
        for a in Application.objects.filter(opportunity=opportunity, status=Application.Status.SUBMITTED)
    }
    questions = list(opportunity.questions)
    headers = [_("Name"), _("Reading"), _("Email"), _("Stage"), _("Interest"), _("Applied"), _("Next step"),
               _("Next step on"), _("Start date"), *questions]  # fmt: skip
    rows = [
        [
            person.membership.user.full_name, person.membership.user.full_name_kana, person.membership.user.email,
            person.stage.name, _("Yes") if person.interested else "", _("Yes") if person.applied else "",
            person.next_step, person.next_step_on, person.hired_on,
            *(answers.get(person.membership_id, {}).get(label, "") for label in questions),
        ]
        for person in people
    ]  # fmt: skip
    audit(network, request.user, "candidates.exported", opportunity, request=request, rows=len(rows),
          format=export_format)  # fmt: skip
    filename = f"opportunity-{opportunity.pk}-candidates-{timezone.localdate():%Y%m%d}"
    return spreadsheet_response(headers, rows, export_format, sheet_title=str(_("Candidates")), filename=filename)


# --- Schemes ---------------------------------------------------------------------------------------


@console_section("opportunities")
def scheme_list(request: NetworkRequest, network_slug: str) -> HttpResponse:
    schemes = ComebackScheme.objects.filter(network=request.network).select_related("company")
    return render(request, "comeback/manage_schemes.html", {"schemes": list(schemes)})


@console_section("opportunities")
def scheme_edit(request: NetworkRequest, network_slug: str, scheme_id: int | None = None) -> HttpResponse:
    network = request.network
    scheme = get_scheme(network, scheme_id) if scheme_id is not None else ComebackScheme(network=network)
    form = SchemeForm(request.POST or None, instance=scheme, network=network)
    if request.method == "POST" and form.is_valid():
        saved = form.save()
        audit(network, request.user, "comeback_scheme.saved", saved, request=request)
        messages.success(request, _("The page was saved."))
        return redirect("manage:comeback_schemes", network_slug)
    return render(request, "comeback/manage_scheme_form.html", {"form": form, "scheme": scheme})


# --- Stages ----------------------------------------------------------------------------------------


@console_section("opportunities")
def stage_list(request: NetworkRequest, network_slug: str) -> HttpResponse:
    """The network's pipeline stages in order: reorder, edit, delete the unused ones, add one."""
    network = request.network
    stages = services.stages_of(network)
    form = StageEditForm(request.POST or None, instance=Stage(network=network), prefix="new")
    if request.method == "POST" and form.is_valid():
        services.save_stage(form.save(commit=False), request.user, request=request)
        messages.success(request, _("The stage was added."))
        return redirect("manage:comeback_stages", network_slug)
    used = set(Candidate.objects.filter(network=network).values_list("stage_id", flat=True).distinct().order_by())
    rows = [(stage, stage.pk in used) for stage in stages]
    return render(request, "comeback/manage_stages.html", {"rows": rows, "form": form, "nav": "stages"})


@console_section("opportunities")
def stage_edit(request: NetworkRequest, network_slug: str, stage_id: int) -> HttpResponse:
    stage = get_stage(request.network, stage_id)
    form = StageEditForm(request.POST or None, instance=stage)
    if request.method == "POST" and form.is_valid():
        services.save_stage(form.save(commit=False), request.user, request=request)
        messages.success(request, _("The stage was saved."))
        return redirect("manage:comeback_stages", network_slug)
    return render(request, "comeback/manage_stage_form.html", {"form": form, "stage": stage, "nav": "stages"})


@require_POST
@console_section("opportunities")
def stage_move(request: NetworkRequest, network_slug: str, stage_id: int) -> HttpResponse:
    stage = get_stage(request.network, stage_id)
    step = {"up": -1, "down": 1}.get(request.POST.get("direction", ""))
    if step is None:
        raise Http404
    services.move_stage(stage, step, request.user, request=request)
    return redirect("manage:comeback_stages", network_slug)


@require_POST
@console_section("opportunities")
def stage_delete(request: NetworkRequest, network_slug: str, stage_id: int) -> HttpResponse:
    stage = get_stage(request.network, stage_id)
    if services.delete_stage(stage, request.user, request=request):
        messages.success(request, _("The stage was deleted."))
    else:
        messages.error(
            request, _("This stage cannot be deleted: candidates are in it, or it is the last stage in progress.")
        )
    return redirect("manage:comeback_stages", network_slug)
