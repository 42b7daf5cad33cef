"""Alumni pages of profiles: one's own profile (edit, career, intent, check-in) and another member's."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from enishi.lib.http import NetworkRequest
from enishi.networks.models import Membership
from enishi.networks.roles import ALUMNI_ROLES
from enishi.privacy.services import audit
from enishi.profiles import services
from enishi.profiles.access import get_career_entry, get_profile
from enishi.profiles.forms import CareerEntryForm, IntentForm, ProfileForm
from enishi.profiles.models import CareerEntry, FieldGroup, Profile, Visibility
from enishi.profiles.visibility import MEMBER_RECORD_ROLES, visible_groups
from enishi.profiles.vocabulary import ReturnMode


def _own_profile(membership: Membership) -> Profile:
    """The member's own profile; staff have none (their page is the account card only)."""
    if membership.role not in ALUMNI_ROLES:
        raise Http404
    return services.profile_of(membership)


def profile_page_context(profile: Profile, groups: frozenset[str]) -> dict[str, Any]:
    """What the profile templates show, limited to the groups the viewer may see."""
    saved = profile.pk is not None
    intent = services.loaded_intent(profile)
    modes = intent.return_modes if intent else []
    return {
        "profile": profile,
        "person": profile.membership.user,
        "show": {group: group in groups for group in FieldGroup.values},
        "intent": intent,
        "return_mode_labels": [ReturnMode(mode).label for mode in modes if mode in ReturnMode.values],
        "skills": [tag.skill for tag in profile.skills.all()] if saved else [],
        "career": list(profile.career.all()) if saved else [],
        "employment": services.employment_facts(profile.membership),
    }


def own_profile_context(request: NetworkRequest) -> dict[str, Any]:
    """My profile: everything, with the completeness list and the employment facts beside it."""
    if request.membership.role not in ALUMNI_ROLES:
        return {"has_profile": False}
    profile = get_profile(request.network, request.membership.pk)
    context = profile_page_context(profile, frozenset(FieldGroup.values))
    context["missing"] = services.missing_items(
        profile, context["intent"], skill_count=len(context["skills"]), career_count=len(context["career"])
    )
    from enishi.events.services import attended_events

    context["attended"] = list(attended_events(request.membership)[:ATTENDED_SHOWN])  # their event history
    return {**context, "has_profile": True, "editable": True, "visibility_labels": _visibility_labels(profile)}


ATTENDED_SHOWN = 20


def _visibility_labels(profile: Profile) -> list[tuple[str, str]]:
    return [(str(group.label), str(Visibility(profile.visibility_of(group)).label)) for group in FieldGroup]


def profile_edit(request: NetworkRequest, network_slug: str) -> HttpResponse:
    profile = _own_profile(request.membership)
    form = ProfileForm(request.POST or None, request.FILES or None, instance=profile)
    if request.method == "POST" and form.is_valid():
        skills = form.cleaned_data["skills_text"]
        services.save_profile(form.save(commit=False), request.user, form.changed_fields(), skills=skills,
                              request=request)  # fmt: skip
        messages.success(request, _("Your profile is saved."))
        return redirect("network:my_profile", network_slug)
    return render(request, "profiles/edit.html", {"form": form, "profile": profile})


def career_new(request: NetworkRequest, network_slug: str) -> HttpResponse:
    return _career_form(request, network_slug, None)


def career_edit(request: NetworkRequest, network_slug: str, entry_id: int) -> HttpResponse:
    return _career_form(request, network_slug, entry_id)


def _career_form(request: NetworkRequest, network_slug: str, entry_id: int | None) -> HttpResponse:
    profile = _own_profile(request.membership)
    entry = get_career_entry(profile, entry_id) if entry_id is not None else CareerEntry()
    form = CareerEntryForm(request.POST or None, instance=entry)
    if request.method == "POST" and form.is_valid():
        services.save_career_entry(profile, request.user, form.save(commit=False), request=request)
        messages.success(request, _("Your career is saved."))
        return redirect("network:my_profile", network_slug)
    return render(request, "profiles/career_form.html", {"form": form, "entry": entry})


@require_POST
def career_delete(request: NetworkRequest, network_slug: str, entry_id: int) -> HttpResponse:
    profile = _own_profile(request.membership)
    services.delete_career_entry(profile, request.user, get_career_entry(profile, entry_id), request=request)
    messages.success(request, _("The career entry is deleted."))
    return redirect("network:my_profile", network_slug)


def intent_edit(request: NetworkRequest, network_slug: str) -> HttpResponse:
    profile = _own_profile(request.membership)
    intent = services.intent_of(profile)
    form = IntentForm(request.POST or None, instance=intent, profile=profile)
    if request.method == "POST" and form.is_valid():
        services.save_intent(profile, request.user, form.save(commit=False), form.changed_data, request=request)
        messages.success(request, _("Your interests and intent are saved. Thank you."))
        return redirect("network:my_profile", network_slug)
    return render(request, "profiles/intent.html", {"form": form, "intent": intent})


@require_POST
def profile_confirm(request: NetworkRequest, network_slug: str) -> HttpResponse:
    profile = _own_profile(request.membership)
    services.confirm_profile(profile, request.user, request=request)
    messages.success(request, _("Thank you. We will ask again in a few months."))
    return redirect("network:home", network_slug)


def profile(request: NetworkRequest, network_slug: str, membership_id: int) -> HttpResponse:
    """Another member's profile, showing only the groups the viewer may see (404 if none at all)."""
    viewer = request.membership
    shown = get_profile(request.network, membership_id)
    groups = visible_groups(viewer, shown)
    if groups is None:
        raise Http404
    response = render(request, "profiles/profile.html", profile_page_context(shown, groups))
    if viewer.role in MEMBER_RECORD_ROLES:
        audit(request.network, request.user, "profile.viewed", shown.membership, request=request)
    return response
