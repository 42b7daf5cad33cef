"""Mentions (@名前) in posts and comments: who a mention points to, and its link in the text.

A mention is "@" followed by a member's name written without spaces (@佐藤一郎, @SatoIchiro); the
composer's suggestions insert exactly that. Only people listed in the directory can be mentioned
(the same people any alumnus can find there), never someone of another network, never someone who
blocked the author or whom the author blocked; a name that fits two people links nobody. A
courtesy title written straight after the name (@佐藤一郎さん) is not part of it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from django.urls import reverse
from django.utils.html import escape

from enishi.directory.search import search
from enishi.networks.models import Membership
from enishi.networks.roles import ALUMNI_ROLES, MembershipState

MENTION = re.compile(r"(?<![\w@])@([^\s@<>&\"'、。，．,.!?！？:：;；()（）「」『』\[\]【】]{1,40})")
MAX_MENTIONS = 10
CANDIDATES = 5
# Written straight after a name in Japanese: not part of it.
COURTESY_TITLES = ("さん", "様", "さま", "くん", "君", "ちゃん", "氏", "先生")


def compact(name: str) -> str:
    """A name as it is written in a mention: NFKC-normalised, without any space."""
    return "".join(unicodedata.normalize("NFKC", name).split())


def written(text: str) -> list[str]:
    """The mentions written in `text`, in order, each once, at most MAX_MENTIONS."""
    return list(dict.fromkeys(compact(found) for found in MENTION.findall(text)))[:MAX_MENTIONS]


def resolve(author: Membership, text: str, *, excluded: Iterable[int] = ()) -> dict[str, Membership]:
    """The members the mentions of `text` point to, by the mention as written (without "@").

    `excluded` are membership ids that may not be mentioned (blocks, either way).
    """
    excluded = {author.pk, *excluded}
    found: dict[str, Membership] = {}
    for mention in written(text):
        for name in _readings(mention):
            member = _only_member_named(author, name, excluded)
            if member is not None:
                found[name] = member
                break
    return found


def suggestions(viewer: Membership, query: str, limit: int) -> list[dict[str, str]]:
    """People listed in the directory who fit `query`, for the composer: the name to show and the
    mention to write. Never the viewer, never across a block."""
    from enishi.messaging.services import blocked_ids

    ids = search(viewer.network, "alumni", query, limit=limit + 1).membership_ids
    excluded = {viewer.pk, *blocked_ids(viewer)}
    members = {
        member.pk: member
        for member in Membership.objects.filter(
            network_id=viewer.network_id, pk__in=ids, role__in=ALUMNI_ROLES, state=MembershipState.ACTIVE
        ).select_related("user", "profile")
    }
    found = []
    for member_id in ids:
        member = members.get(member_id)
        if member is None or member.pk in excluded:
            continue
        label = _shown_name(member)
        found.append({"label": label, "mention": compact(label)})
    return found[:limit]


def _shown_name(member: Membership) -> str:
    profile = getattr(member, "profile", None)
    return (profile.display_name if profile is not None and profile.display_name else "") or member.user.full_name


def _readings(mention: str) -> list[str]:
    """The mention itself and, when it ends with a courtesy title, the name before it."""
    readings = [mention]
    for title in COURTESY_TITLES:
        if mention.endswith(title) and len(mention) > len(title):
            readings.append(mention[: -len(title)])
    return readings


def _only_member_named(author: Membership, name: str, excluded: set[int]) -> Membership | None:
    ids = search(author.network, "alumni", name, limit=CANDIDATES).membership_ids
    named = [
        member
        for member in Membership.objects.filter(
            network_id=author.network_id, pk__in=ids, role__in=ALUMNI_ROLES, state=MembershipState.ACTIVE
        ).select_related("user", "profile")
        if name in _names_of(member)
    ]
    if len(named) != 1 or named[0].pk in excluded:
        return None
    return named[0]


def _names_of(member: Membership) -> set[str]:
    names = {compact(member.user.full_name), compact(member.user.full_name_kana)}
    profile = getattr(member, "profile", None)
    if profile is not None and profile.display_name:
        names.add(compact(profile.display_name))
    return names - {""}


def link_mentions(html: str, network_slug: str, mentioned: dict[str, Membership]) -> str:
    """`html` (from lib.richtext.text_to_html) with each resolved mention linked to the profile.

    One pass over the text, longest names first, so @佐藤一郎 never becomes @佐藤 plus 一郎.
    """
    if not mentioned:
        return html
    by_escaped: dict[str, Membership] = {str(escape(name)): member for name, member in mentioned.items()}
    names = "|".join(re.escape(name) for name in sorted(by_escaped, key=len, reverse=True))

    def link(match: re.Match[str]) -> str:
        member = by_escaped[match.group(1)]
        href = reverse("network:profile", args=[network_slug, member.pk])
        return f'<a class="mention" href="{href}">@{match.group(1)}</a>'

    return re.sub(r"(?<![\w@/])@(" + names + ")", link, html)
