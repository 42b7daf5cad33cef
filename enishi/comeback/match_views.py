"""Matching pages: hr's best-fitting alumni for an opportunity, with personal invitations (console
section "opportunities"), and the alumnus's "recommended for you" (views.opportunity_list)."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Prefetch
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from enishi.comeback import matching
from enishi.comeback.access import get_opportunity, records_in_reach
from enishi.comeback.models import Opportunity, PersonalInvitation
from enishi.lib.http import NetworkRequest
from enishi.networks.decorators import console_section
from enishi.networks.models import Membership
from enishi.privacy.services import audit


@console_section("opportunities")
def matches(request: NetworkRequest, network_slug: str, opportunity_id: int) -> HttpResponse:
    """The alumni who fit best, with the score's reasons; a constant number of queries. Audited."""
    staff = request.membership
    opportunity = get_opportunity(request.network, opportunity_id, staff=staff)
    ranked = matching.rank_members(opportunity)
    names = matching.skill_names_of(ranked)
    for match in ranked:
        matching.explain(match, names, department=opportunity.department)
    ids = [match.pk for match in ranked]
    records = Prefetch(
        "employment_records",
        queryset=records_in_reach(staff).select_related("company").order_by("-leave_date", "-id"),
        to_attr="records",
    )
    people = Membership.objects.filter(pk__in=ids).select_related("user").prefetch_related(records).in_bulk()
    invited = set(
        PersonalInvitation.objects.filter(opportunity=opportunity, membership_id__in=ids).values_list(
            "membership_id", flat=True
        )
    )
    recent = matching.recent_invitations(opportunity.network_id, ids)
    rows = [
        {"match": match, "person": people[match.pk], "invited": match.pk in invited, "recent": recent.get(match.pk)}
        for match in ranked
        if match.pk in people
    ]
    audit(request.network, request.user, "opportunity.matches_viewed", opportunity, request=request, rows=len(rows))
    context = {
        "opportunity": opportunity,
        "rows": rows,
        "interval": matching.INVITATION_INTERVAL_DAYS,
        "open": opportunity.status == Opportunity.Status.OPEN,
    }
    return render(request, "comeback/manage_matches.html", context)


@require_POST
@console_section("opportunities")
def matches_invite(request: NetworkRequest, network_slug: str, opportunity_id: int) -> HttpResponse:
    opportunity = get_opportunity(request.network, opportunity_id, staff=request.membership)
    chosen = [int(value) for value in request.POST.getlist("member") if value.isdigit()]
    if opportunity.status != Opportunity.Status.OPEN:
        messages.error(request, _("Invitations can be sent only while the opportunity is open."))
    elif not chosen:
        messages.error(request, _("Choose at least one person to invite."))
    else:
        result = matching.invite(opportunity, chosen, request.membership, request=request)
        if result.sent:
            messages.success(
                request,
                ngettext("%(count)d person was invited.", "%(count)d people were invited.", result.sent)
                % {"count": result.sent},
            )
        skipped = []
        if result.already:
            skipped.append(_("%(count)d already invited to this opportunity") % {"count": result.already})
        if result.recent:
            skipped.append(
                _("%(count)d invited to another opportunity in the last %(days)d days")
                % {"count": result.recent, "days": matching.INVITATION_INTERVAL_DAYS}
            )
        if result.not_matching:
            skipped.append(_("%(count)d no longer among the matches") % {"count": result.not_matching})
        if skipped:
            messages.warning(request, _("Not invited: %(reasons)s.") % {"reasons": "、".join(skipped)})
    return redirect("manage:opportunity_matches", network_slug, opportunity.pk)
