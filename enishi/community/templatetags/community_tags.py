"""The news card of the alumni home: the latest few items, new ones marked."""

from __future__ import annotations

from typing import Any

from django import template

from enishi.community import services

register = template.Library()

HOME_NEWS = 3


@register.inclusion_tag("community/_home_news.html", takes_context=True)
def latest_news(context: dict[str, Any]) -> dict[str, Any]:
    membership = context["membership"]
    items = list(services.news_for(membership)[:HOME_NEWS])
    return {
        "items": items,
        "unread": services.unread_ids(membership, items) if items else set(),
        "network": context["network"],
    }
