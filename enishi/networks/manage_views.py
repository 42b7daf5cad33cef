"""The staff console (/n/<slug>/manage/…) for network administration and members."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import messages
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from enishi.lib.errors import ActionRefused
from enishi.lib.http import NetworkRequest
from enishi.lib.japanese import normalise, to_hiragana
from enishi.lib.pages import paginate
from enishi.networks import services
from enishi.networks.access import get_company, get_membership, get_staff_invitation
from enishi.networks.decorators import console_section
from enishi.networks.forms import (
    CompanyForm,
    CoveredCompaniesForm,
    MemberFilterForm,
    NetworkSettingsForm,
    RoleForm,
    StaffInvitationForm,
    SuspendForm,
)
from enishi.networks.models import Company, Membership, Network, StaffInvitation
from enishi.networks.roles import SECTIONS_BY_KEY, STAFF_ROLES, Role
from enishi.privacy.services import audit

if TYPE_CHECKING:
    pass


@console_section("members")
def members(request: NetworkRequest, network_slug: str) -> HttpResponse:
    network = request.network
    form = MemberFilterForm(request.GET or None)
    queryset = Membership.objects.filter(network=network).select_related("user")
    if form.is_valid():
        query = normalise(form.cleaned_data["q"])
        if query:
            queryset = queryset.filter(
                Q(sort_name__contains=to_hiragana(query))
                | Q(user__email__icontains=query)
                | Q(user__family_name__icontains=query)
                | Q(user__given_name__icontains=query)
                | Q(user__family_name_kana__icontains=query)
                | Q(user__given_name_kana__icontains=query)
            )
        if form.cleaned_data["role"]:
            queryset = queryset.filter(role=form.cleaned_data["role"])
        if form.cleaned_data["state"]:
            queryset = queryset.filter(state=form.cleaned_data["state"])
    queryset = queryset.order_by("sort_name", "pk")
    page = paginate(request, queryset)
    # Names and email addresses are personal data: record who looked, at which page and filter.
    audit(
        network, request.user, "members.listed", request=request, page=page.number, query=request.GET.urlencode()[:300]
    )
    return render(request, "manage/members.html", {"form": form, "page": page})


@console_section("members")
def member_detail(request: NetworkRequest, network_slug: str, membership_id: int) -> HttpResponse:
    network = request.network
    member = get_membership(network, membership_id)
    audit(network, request.user, "member.viewed", member, request=request)
    can_manage = request.membership.role in SECTIONS_BY_KEY["settings"].roles  # as member_action
    from enishi.events.services import attended_events

    return render(
        request,
        "manage/member_detail.html",
        {
            "member": member,
            "attended": list(attended_events(member)[:ATTENDED_SHOWN]),
            "can_manage": can_manage,
            "role_form": RoleForm(initial={"role": member.role}),
            "suspend_form": SuspendForm(),
            "companies_form": CoveredCompaniesForm(
                network=network, initial={"companies": list(member.covered_companies.values_list("pk", flat=True))}
            )
            if can_manage and member.role == Role.HR
            else None,
        },
    )


MEMBER_ACTIONS = ("role", "suspend", "reactivate", "companies")
ATTENDED_SHOWN = 20  # the member's latest events attended, on their page


@require_POST
@console_section("settings")
def member_action(request: NetworkRequest, network_slug: str, membership_id: int, action: str) -> HttpResponse:
    """Role change, suspension and reactivation: administrators only (the settings section)."""
    if action not in MEMBER_ACTIONS:
        raise Http404
    network = request.network
    member = get_membership(network, membership_id)
    try:
        if action == "role":
            form = RoleForm(request.POST)
            if not form.is_valid():
                raise ActionRefused(_("Choose a role from the list."))
            services.change_role(member, request.user, form.cleaned_data["role"], request=request)
            messages.success(request, _("The role was changed."))
        elif action == "suspend":
            suspend_form = SuspendForm(request.POST)
            reason = suspend_form.cleaned_data["reason"] if suspend_form.is_valid() else ""
            services.suspend_member(member, request.user, reason, request=request)
            messages.success(request, _("The member was suspended and can no longer sign in to this network."))
        elif action == "reactivate":
            services.reactivate_member(member, request.user, request=request)
            messages.success(request, _("The member was reactivated."))
        elif action == "companies":
            companies_form = CoveredCompaniesForm(request.POST, network=network)
            if not companies_form.is_valid():
                raise ActionRefused(_("Choose companies of this network from the list."))
            services.set_covered_companies(member, request.user, companies_form.cleaned_data["companies"],
                                           request=request)  # fmt: skip
            messages.success(request, _("The companies covered were saved."))
    except ActionRefused as refusal:
        messages.error(request, str(refusal))
    return redirect("manage:member_detail", network_slug, member.pk)


@console_section("settings")
def network_settings(request: NetworkRequest, network_slug: str) -> HttpResponse:
    # The form edits its own copy: an invalid value must not reach the page shell (accent colour).
    edited = Network.objects.get(pk=request.network.pk)
    form = NetworkSettingsForm(request.POST or None, request.FILES or None, instance=edited)
    if request.method == "POST" and form.is_valid():
        form.save(commit=False)
        services.update_network_settings(edited, request.user, form.changed_data, request=request)
        messages.success(request, _("Settings saved."))
        return redirect("manage:settings", network_slug)
    return render(request, "manage/settings.html", {"form": form})


@console_section("settings")
def companies(request: NetworkRequest, network_slug: str) -> HttpResponse:
    network = request.network
    return render(request, "manage/companies.html", {"companies": Company.objects.filter(network=network)})


@console_section("settings")
def company_edit(request: NetworkRequest, network_slug: str, company_id: int | None = None) -> HttpResponse:
    network = request.network
    company = get_company(network, company_id) if company_id is not None else None
    form = CompanyForm(request.POST or None, instance=company, network=network)
    if request.method == "POST" and form.is_valid():
        services.save_company(network, request.user, form.save(commit=False), request=request)
        messages.success(request, _("Company saved."))
        return redirect("manage:companies", network_slug)
    return render(request, "manage/company_form.html", {"form": form, "company": company})


@console_section("settings")
def staff(request: NetworkRequest, network_slug: str) -> HttpResponse:
    network = request.network
    form = StaffInvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.invite_staff(
                network, request.user, form.cleaned_data["email"], form.cleaned_data["role"], request=request
            )
        except ActionRefused as refusal:
            form.add_error("email", str(refusal))
        else:
            messages.success(request, _("Invitation sent to %(email)s.") % {"email": form.cleaned_data["email"]})
            return redirect("manage:staff", network_slug)
    staff_members = (
        Membership.objects.filter(network=network, role__in=STAFF_ROLES)
        .select_related("user")
        .prefetch_related("covered_companies")
        .order_by("role", "sort_name", "pk")
    )
    invitations = StaffInvitation.objects.filter(
        network=network, accepted_at__isnull=True, revoked_at__isnull=True
    ).select_related("invited_by")
    audit(network, request.user, "staff.listed", request=request)
    return render(
        request,
        "manage/staff.html",
        {
            "form": form,
            "staff_members": staff_members,
            "invitations": invitations,
            "hr_restricted": network.hr_restricted_to_companies,
        },
    )


@require_POST
@console_section("settings")
def revoke_invitation(request: NetworkRequest, network_slug: str, invitation_id: int) -> HttpResponse:
    network = request.network
    invitation = get_staff_invitation(network, invitation_id)
    services.revoke_staff_invitation(invitation, request.user, request=request)
    messages.success(request, _("The invitation was revoked."))
    return redirect("manage:staff", network_slug)
