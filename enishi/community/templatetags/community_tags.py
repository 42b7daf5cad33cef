"""The alumni home's community parts: the latest posts (the home feed) and the news card."""

from __future__ import annotations

from typing import Any

from django import template

from enishi.community import services

register = template.Library()

HOME_NEWS = 3
HOME_POSTS = 10


@register.inclusion_tag("community/_home_news.html", takes_context=True)
def latest_news(context: dict[str, Any]) -> dict[str, Any]:
    membership = context["membership"]
    items = list(services.news_for(membership)[:HOME_NEWS])
    return {
        "items": items,
        "unread": services.unread_ids(membership, items) if items else set(),
        "network": context["network"],
    }


@register.inclusion_tag("community/_home_posts.html", takes_context=True)
def home_posts(context: dict[str, Any]) -> dict[str, Any]:
    """The home feed: the newest posts of the main feed, with the same card as the posts page."""
    membership = context["membership"]
    return {
        "posts": list(services.visible_posts(membership)[:HOME_POSTS]),
        "can_post": services.can_post(membership),
        "can_moderate": membership.role in services.MODERATOR_ROLES,
        "membership": membership,
        "network": context["network"],
        "csrf_token": context.get("csrf_token"),
    }
