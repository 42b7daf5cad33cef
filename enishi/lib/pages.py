"""Small helpers shared by views of every app."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

PAGE_SIZE = 50


def paginate(request: HttpRequest, queryset: QuerySet[Any], per_page: int = PAGE_SIZE) -> Page[Any]:
    """The requested page of `queryset`; a bad or too-large page number gives the nearest page."""
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))


def empty_state(
    request: HttpRequest,
    *,
    title: StrOrPromise,
    body: StrOrPromise,
    template: str = "shell/empty_state.html",
) -> HttpResponse:
    """An honest page for a part of the product that a later capability fills."""
    return render(request, template, {"title": title, "body": body})
