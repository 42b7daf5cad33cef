"""Pages of the subscriptions to new openings (subscriptions.py): hr's console page (section
"opportunities": choose kinds and companies, see how many alumni fit, subscribe them; the list of
subscriptions in force, cancel one) and the alumnus's own start and stop, on the opportunities list."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from django.contrib import messages
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from enishi.comeback import subscriptions
from enishi.comeback.forms import OpeningSubscriptionForm, StartNewsForm
from enishi.comeback.models import OpeningSubscription, Opportunity
from enishi.lib.http import NetworkRequest
from enishi.lib.pages import paginate
from enishi.networks.access import covered_company_ids
from enishi.networks.decorators import console_section
from enishi.networks.models import Membership
from enishi.networks.roles import ALUMNI_ROLES
from enishi.privacy.services import audit

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


def get_subscription(staff: Membership, subscription_id: int) -> OpeningSubscription:
    """A subscription in force within the staff member's reach, or 404."""
    return get_object_or_404(subscriptions.subscriptions_in_reach(staff).select_related("network"),
                             pk=subscription_id)  # fmt: skip


@console_section("opportunities")
def subscription_list(request: NetworkRequest, network_slug: str) -> HttpResponse:
    """Choose kinds (and companies): the page counts who fits and who already gets it; the button
    subscribes the rest. Below, the subscriptions in force (a constant number of queries)."""
    network, staff = request.network, request.membership
    covered = covered_company_ids(staff)
    data = request.POST if request.method == "POST" else (request.GET if "kinds" in request.GET else None)
    form = OpeningSubscriptionForm(data, network=network, covered_companies=covered)
    fit = None
    if data is not None and form.is_valid():
        kinds, companies = form.cleaned_data["kinds"], list(form.cleaned_data["companies"])
        if request.method == "POST":
            changed, already = subscriptions.subscribe_fitting(network, request.user, kinds, companies,
                                                               request=request)  # fmt: skip
            messages.success(request, _("Subscribed: %(count)d. Already subscribed: %(already)d.")
                             % {"count": changed, "already": already})  # fmt: skip
            return redirect("manage:opportunity_subscriptions", network_slug)
        fit = subscriptions.assess(network, kinds, companies)
    in_force = subscriptions.subscriptions_in_reach(staff)
    counts = in_force.aggregate(
        total=Count("pk"),
        **{kind: Count("pk", filter=Q(kinds__icontains=f'"{kind}"')) for kind in Opportunity.Kind.values},
    )
    shown = in_force.select_related("membership__user", "created_by").prefetch_related("companies")
    page = paginate(request, shown.order_by("-updated_at", "-id"))
    audit(network, request.user, "opening_subscriptions.listed", request=request, page=page.number)
    labels = dict(Opportunity.Kind.choices)
    for subscription in page.object_list:
        subscription.kind_labels = [labels[kind] for kind in subscription.kinds if kind in labels]
    context = {
        "form": form,
        "fit": fit,
        "total": counts["total"],
        "kind_counts": [(labels[kind], counts[kind]) for kind in Opportunity.Kind.values],
        "page": page,
        "nav": "subscriptions",
    }
    return render(request, "comeback/manage_subscriptions.html", context)


@require_POST
@console_section("opportunities")
def subscription_cancel(request: NetworkRequest, network_slug: str, subscription_id: int) -> HttpResponse:
    subscription = get_subscription(request.membership, subscription_id)
    subscriptions.cancel(subscription, request.user, request=request)
    messages.success(request, _("The subscription was cancelled."))
    return redirect("manage:opportunity_subscriptions", network_slug)


# --- The alumnus ----------------------------------------------------------------------------------


def _alumnus(request: NetworkRequest) -> Membership:
    if request.membership.role not in ALUMNI_ROLES:
        raise Http404
    return request.membership


@require_POST
def news_start(request: NetworkRequest, network_slug: str) -> HttpResponse:
    """The alumnus asks for news of new openings of kinds their intent is open to (or changes them)."""
    membership = _alumnus(request)
    form = StartNewsForm(request.POST, fitting=subscriptions.kinds_fitting(membership))
    if not form.is_valid() or subscriptions.start(membership, form.cleaned_data["kinds"]) is None:
        messages.error(request, _("Choose at least one kind of opportunity from the list."))
    else:
        messages.success(request, _("You will be told of new openings of the kinds you chose."))
    return redirect("network:opportunities", network_slug)


@require_POST
def news_stop(request: NetworkRequest, network_slug: str) -> HttpResponse:
    membership = _alumnus(request)
    if subscriptions.stop(membership):
        messages.success(request, _("You will no longer be told of new openings."))
    return redirect("network:opportunities", network_slug)


def news_context(membership: Membership) -> dict[str, object]:
    """The opportunities list's small block: what the alumnus gets, stop, or start (a few queries)."""
    if membership.role not in ALUMNI_ROLES:
        return {}
    subscription = subscriptions.active_subscription(membership)
    fitting = subscriptions.kinds_fitting(membership)
    labels = dict(Opportunity.Kind.choices)
    initial = {"kinds": subscription.kinds if subscription else fitting}
    return {
        "news_subscription": subscription,
        "news_kinds": _shown_kinds(subscription.kinds, fitting, labels) if subscription else [],
        "news_form": StartNewsForm(fitting=fitting, initial=initial) if fitting else None,
    }


def _shown_kinds(kinds: list[str], fitting: list[str], labels: Mapping[str, StrOrPromise]) -> list[StrOrPromise]:
    """The kinds the alumnus hears of: those subscribed that their intent is open to (all subscribed
    ones if none fits now, so that the block still says what "stop" stops)."""
    shown = [kind for kind in kinds if kind in fitting] or kinds
    return [labels[kind] for kind in shown if kind in labels]
