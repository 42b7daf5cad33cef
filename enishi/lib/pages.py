"""Small helpers shared by views of every app."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.functional import cached_property

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

PAGE_SIZE = 50


def paginate(
    request: HttpRequest, queryset: QuerySet[Any], per_page: int = PAGE_SIZE, max_pages: int | None = None
) -> Page[Any]:
    """The requested page of `queryset`; a bad or too-large page number gives the nearest page.

    `max_pages` is for feeds that grow without end (posts): only that many pages are counted, so
    the count costs the same at a thousand posts and at five million (see CappedPaginator).
    """
    paginator = Paginator(queryset, per_page) if max_pages is None else CappedPaginator(queryset, per_page, max_pages)
    return paginator.get_page(request.GET.get("page"))


class CappedPaginator(Paginator):  # type: ignore[type-arg]  # not subscriptable at run time
    """Counts at most `max_pages` pages of rows (`COUNT(*)` over a `LIMIT`, annotations stripped):
    `count` is then at most max_pages × per_page and `capped` says whether more rows exist."""

    def __init__(self, object_list: QuerySet[Any], per_page: int, max_pages: int) -> None:
        super().__init__(object_list, per_page)
        self.max_pages = max_pages
        self.capped = False

    @cached_property
    def count(self) -> int:
        limit = self.max_pages * int(self.per_page)
        found = self.object_list.order_by().values("pk")[: limit + 1].count()  # type: ignore[attr-defined]
        self.capped = found > limit
        return min(found, limit)


def empty_state(
    request: HttpRequest,
    *,
    title: StrOrPromise,
    body: StrOrPromise,
    template: str = "shell/empty_state.html",
) -> HttpResponse:
    """An honest page for a part of the product that a later capability fills."""
    return render(request, template, {"title": title, "body": body})
