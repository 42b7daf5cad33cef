"""Alumni pages of comeback: the opportunities with filters, one opportunity with 「話を聞いてみたい」
and the application form, "my applications" with their status and withdrawal, and the schemes.

Nothing here reads intake's HR-only fields (rehire eligibility, HR notes): they belong to the console.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from enishi.comeback import matching, services
from enishi.comeback.access import (
    get_own_application,
    get_own_interest,
    get_published_scheme,
    get_visible_opportunity,
)
from enishi.comeback.forms import ApplicationForm, InterestForm, OpportunityFilterForm
from enishi.comeback.models import Application, Candidate, ComebackScheme, Interest
from enishi.comeback.subscription_views import news_context
from enishi.lib.http import NetworkRequest
from enishi.lib.pages import paginate
from enishi.networks.roles import ALUMNI_ROLES

PAGE_SIZE = 20


def opportunity_list(request: NetworkRequest, network_slug: str) -> HttpResponse:
    membership = request.membership
    filters = OpportunityFilterForm(request.GET, network=request.network)
    shown = services.opportunities_for(membership).filter(status="open")
    opportunities = filters.apply(shown).order_by("-created_at", "-id")
    page = paginate(request, opportunities, per_page=PAGE_SIZE)
    schemes = list(ComebackScheme.objects.filter(network=request.network, published=True).only("pk", "title"))
    filtered = any(request.GET.get(name) for name in ("kind", "company", "location", "remote"))
    recommended = matching.recommended_for(membership) if not filtered and page.number == 1 else []
    context = {"page": page, "opportunities": page.object_list, "filters": filters, "filtered": filtered,
               "schemes": schemes, "recommended": recommended, **news_context(membership)}  # fmt: skip
    return render(request, "comeback/list.html", context)


def opportunity_detail(request: NetworkRequest, network_slug: str, opportunity_id: int) -> HttpResponse:
    membership = request.membership
    opportunity = get_visible_opportunity(membership, opportunity_id)
    interest = Interest.objects.filter(opportunity=opportunity, membership=membership).first()
    application = Application.objects.filter(opportunity=opportunity, membership=membership).first()
    candidate = Candidate.objects.filter(opportunity=opportunity, membership=membership).select_related("stage").first()
    context = {
        "opportunity": opportunity,
        "required_skills": list(opportunity.required_skills.all()),
        "welcome_skills": list(opportunity.welcome_skills.all()),
        "interest": interest if interest and interest.withdrawn_at is None else None,
        "application": application if application and application.status == Application.Status.SUBMITTED else None,
        "status": services.public_status(candidate.stage) if candidate else "",
        "may_respond": services.may_respond(opportunity, membership),
        "is_alumnus": membership.role in ALUMNI_ROLES,
        "interest_form": InterestForm(),
    }
    return render(request, "comeback/detail.html", context)


@require_POST
def interest(request: NetworkRequest, network_slug: str, opportunity_id: int) -> HttpResponse:
    membership = request.membership
    opportunity = get_visible_opportunity(membership, opportunity_id)
    if not services.may_respond(opportunity, membership):
        raise Http404
    form = InterestForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    services.express_interest(opportunity, membership, note)
    messages.success(request, _("Thank you. The company will get in touch with you."))
    return redirect("network:opportunity_detail", network_slug, opportunity.pk)


@require_POST
def interest_withdraw(request: NetworkRequest, network_slug: str, opportunity_id: int) -> HttpResponse:
    services.withdraw_interest(get_own_interest(request.membership, opportunity_id))
    messages.success(request, _("You withdrew your interest."))
    return redirect("network:my_applications", network_slug)


def application(request: NetworkRequest, network_slug: str, opportunity_id: int) -> HttpResponse:
    membership = request.membership
    opportunity = get_visible_opportunity(membership, opportunity_id)
    if not services.may_respond(opportunity, membership):
        raise Http404
    existing = Application.objects.filter(opportunity=opportunity, membership=membership).first()
    initial = {}
    if existing is not None:
        initial = {f"q{i}": existing.answers.get(label, "") for i, label in enumerate(opportunity.questions)}
    form = ApplicationForm(request.POST or None, request.FILES or None, questions=list(opportunity.questions),
                           initial=initial)  # fmt: skip
    if request.method == "POST" and form.is_valid():
        services.apply(opportunity, membership, form.answers(), form.cleaned_data.get("resume"))
        messages.success(request, _("Your application was sent. You can follow it in “My applications”."))
        return redirect("network:my_applications", network_slug)
    return render(request, "comeback/apply.html", {"opportunity": opportunity, "form": form, "existing": existing})


@require_POST
def application_withdraw(request: NetworkRequest, network_slug: str, opportunity_id: int) -> HttpResponse:
    services.withdraw_application(get_own_application(request.membership, opportunity_id))
    messages.success(request, _("You withdrew your application."))
    return redirect("network:my_applications", network_slug)


def my_applications(request: NetworkRequest, network_slug: str) -> HttpResponse:
    """Each opportunity I showed interest in or applied to, with where it stands."""
    membership = request.membership
    candidates = list(
        Candidate.objects.filter(network=request.network, membership=membership)
        .select_related("opportunity__company", "stage")
        .order_by("-updated_at", "-id")
    )
    ids = [candidate.opportunity_id for candidate in candidates]
    interests = {i.opportunity_id: i for i in Interest.objects.filter(membership=membership, opportunity_id__in=ids)}
    applications = {
        a.opportunity_id: a for a in Application.objects.filter(membership=membership, opportunity_id__in=ids)
    }
    rows = []
    for candidate in candidates:
        interest_row = interests.get(candidate.opportunity_id)
        application_row = applications.get(candidate.opportunity_id)
        rows.append({
            "opportunity": candidate.opportunity,
            "status": services.public_status(candidate.stage),
            "interest": interest_row if interest_row and interest_row.withdrawn_at is None else None,
            "application": application_row
            if application_row and application_row.status == Application.Status.SUBMITTED else None,
            "done": candidate.stage.kind != "open",
        })  # fmt: skip
    return render(request, "comeback/mine.html", {"rows": rows})


def scheme_list(request: NetworkRequest, network_slug: str) -> HttpResponse:
    schemes = ComebackScheme.objects.filter(network=request.network, published=True).select_related("company")
    return render(request, "comeback/schemes.html", {"schemes": list(schemes)})


def scheme_detail(request: NetworkRequest, network_slug: str, scheme_id: int) -> HttpResponse:
    return render(request, "comeback/scheme.html", {"scheme": get_published_scheme(request.network, scheme_id)})
