"""The alumni directory (/n/<slug>/directory/): find fellow alumni by words and facets."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.shortcuts import redirect, render

from enishi.directory import search as directory_search
from enishi.directory import services
from enishi.directory.forms import DirectoryForm
from enishi.lib.http import NetworkRequest
from enishi.privacy.models import ConsentPurpose
from enishi.privacy.notices import has_consent

PAGE_SIZE = 20


def directory(request: NetworkRequest, network_slug: str) -> HttpResponse:
    audience = directory_search.audience_of(request.membership)
    if audience == "staff":
        return redirect("manage:directory", network_slug)
    form = DirectoryForm(request.GET or None, network=request.network)
    context = results_context(request, form, audience is not None)
    context["listed"] = audience is None or has_consent(request.membership, ConsentPurpose.DIRECTORY_LISTING)
    return render(request, "directory/directory.html", context)


def page_number(request: NetworkRequest) -> int:
    try:
        return max(1, min(int(request.GET.get("page", "1")), 10_000))
    except ValueError:
        return 1


def results_context(request: NetworkRequest, form: DirectoryForm, allowed: bool) -> dict[str, Any]:
    """Search with the form (an empty form lists everyone, most recently active first) and load the
    page's cards; the same for alumni and staff, the viewer's role deciding what is searched."""
    number = page_number(request)
    results: list[services.Card] = []
    has_more = False
    if allowed and (not form.is_bound or form.is_valid()):
        results, has_more = services.page_of_cards(request.network, request.membership, form, number, PAGE_SIZE)
    return {
        "form": form,
        "cards": results,
        "page_number": number,
        "has_more": has_more,
        "previous_page": number - 1 if number > 1 else None,
        "next_page": number + 1 if has_more else None,
        "unknown_skills": getattr(form, "unknown_skills", []),
    }
