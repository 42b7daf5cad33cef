"""The coordinator's console (section "interviews") and hr's list of approved relays.

An interview's page is served only to the coordinators of its organisation; every other role gets
the console's 404 from @console_section before any object is read."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from enishi.coordination import access, services
from enishi.coordination.forms import InterviewForm, RelayForm
from enishi.intake.models import EmploymentRecord
from enishi.lib.errors import ActionRefused
from enishi.lib.http import NetworkRequest
from enishi.lib.pages import paginate
from enishi.networks.access import covered_company_ids
from enishi.networks.decorators import console_section
from enishi.privacy.services import audit


@console_section("interviews")
def interviews(request: NetworkRequest, network_slug: str) -> HttpResponse:
    organisation = services.organisation_of(request.membership)
    context: dict[str, object] = {"organisation": organisation}
    if organisation is not None:
        context["page"] = paginate(request, services.interviews_of(request.network, organisation))
        context["alumni"] = services.contactable_alumni(request.network)[:200]
    return render(request, "coordination/manage_interviews.html", context)


@console_section("interviews")
def interview_new(request: NetworkRequest, network_slug: str, membership_id: int) -> HttpResponse:
    alumnus = access.get_contactable_alumnus(request.membership, membership_id)
    organisation = access.coordinator_organisation(request.membership)
    interview = services.new_interview(request.membership, organisation, alumnus)
    form = InterviewForm(request.POST or None, instance=interview)
    if request.method == "POST" and form.is_valid():
        interview = form.save()
        messages.success(request, _("The interview was saved."))
        return redirect("manage:interview_edit", network_slug, interview.pk)
    return render(request, "coordination/manage_interview.html", {"form": form, "alumnus": alumnus})


@console_section("interviews")
def interview_edit(request: NetworkRequest, network_slug: str, interview_id: int) -> HttpResponse:
    interview = access.get_interview(request.membership, interview_id)
    form = InterviewForm(request.POST or None, instance=interview)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("The interview was saved."))
        return redirect("manage:interview_edit", network_slug, interview.pk)
    relays = interview.relays.all()
    context = {"form": form, "alumnus": interview.alumnus, "interview": interview, "relays": relays}
    return render(request, "coordination/manage_interview.html", context)


@console_section("interviews")
def interview_relay(request: NetworkRequest, network_slug: str, interview_id: int) -> HttpResponse:
    interview = access.get_interview(request.membership, interview_id)
    form = RelayForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.propose_relay(interview, request.membership, form.cleaned_data["summary"], request=request)
        except ActionRefused as refusal:
            messages.error(request, str(refusal))
        else:
            messages.success(request, _("The summary was sent to the alumnus for approval. HR sees it once approved."))
        return redirect("manage:interview_edit", network_slug, interview.pk)
    return render(request, "coordination/manage_relay.html", {"form": form, "interview": interview})


@console_section("opportunities")
def relays(request: NetworkRequest, network_slug: str) -> HttpResponse:
    relays = services.approved_relays(request.network)
    covered = covered_company_ids(request.membership)
    if covered is not None:  # hr restricted to some companies: relays about their alumni only
        former = EmploymentRecord.objects.filter(network=request.network, company_id__in=covered)
        relays = relays.filter(alumnus_id__in=former.values("membership_id"))
    page = paginate(request, relays)
    audit(request.network, request.user, "coordination.relays_viewed", request=request, page=page.number)
    return render(request, "coordination/manage_relays.html", {"page": page})
