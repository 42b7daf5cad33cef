"""Alumni pages of the community: the news list and one news item."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render

from enishi.community import services
from enishi.community.access import get_live_news_item
from enishi.lib.http import NetworkRequest
from enishi.lib.pages import paginate
from enishi.lib.richtext import plain_excerpt

NEWS_PAGE_SIZE = 20
EXCERPT_LENGTH = 80


def news(request: NetworkRequest, network_slug: str) -> HttpResponse:
    page = paginate(request, services.news_for(request.membership), per_page=NEWS_PAGE_SIZE)
    items = list(page.object_list)
    for item in items:
        item.excerpt = plain_excerpt(item.body, EXCERPT_LENGTH)
    unread = services.unread_ids(request.membership, items)
    return render(request, "community/news.html", {"page": page, "items": items, "unread": unread})


def news_detail(request: NetworkRequest, network_slug: str, news_id: int) -> HttpResponse:
    item = get_live_news_item(request.membership, news_id)
    services.mark_read(item, request.membership)
    return render(request, "community/news_detail.html", {"item": item})
