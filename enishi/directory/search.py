"""Directory search: a page of members matching a Japanese or English query and facets.

One statement per page on each database (two when relevance puts name matches first), whatever
the number of members: the full-text index answers the words and the facets together, and the
order comes from the index too (see docs/ARCHITECTURE.md, "Japanese full-text search").
"""

from __future__ import annotations

from typing import Literal, NamedTuple

from django.db import connection

from enishi.directory.tokens import Filters, Word, network_token, query_words
from enishi.networks.models import Membership, Network
from enishi.networks.roles import ALUMNI_ROLES, CONSOLE_SECTIONS

Audience = Literal["alumni", "staff"]
Sort = Literal["relevance", "recent", "kana"]

# Staff who read member records (admin, HR) search what alumni share with staff; other staff roles
# have no access to member data, so they search nothing.
MEMBER_RECORD_ROLES = next(section.roles for section in CONSOLE_SECTIONS if section.key == "members")
_MEMBERSHIP_ID_MASK = (1 << 32) - 1
MAX_LIMIT = 200


class SearchPage(NamedTuple):
    membership_ids: list[int]
    has_more: bool


def audience_of(viewer: Membership | Audience) -> Audience | None:
    if isinstance(viewer, str):
        return viewer
    if viewer.role in MEMBER_RECORD_ROLES and viewer.is_active:
        return "staff"
    if viewer.role in ALUMNI_ROLES and viewer.is_active:
        return "alumni"
    return None


def search(
    network: Network,
    viewer: Membership | Audience,
    query: str,
    *,
    filters: Filters | None = None,
    sort: Sort = "relevance",
    limit: int = 20,
    offset: int = 0,
) -> SearchPage:
    """The membership ids of a page of results, best first, and whether more follow.

    `viewer` is the searching membership (its role decides what it may search) or, for callers
    that have already decided, the audience itself: "alumni" or "staff".
    """
    audience = audience_of(viewer)
    if audience is None or (not isinstance(viewer, str) and viewer.network_id != network.pk):
        return SearchPage([], False)
    limit = max(1, min(limit, MAX_LIMIT))
    offset = max(0, offset)
    backend = _PostgreSQL if connection.vendor == "postgresql" else _SQLite
    plan = backend(network, audience, query_words(query), (filters or Filters()).token_groups())
    if sort == "kana":
        ids = plan.by_kana(offset + limit + 1)
    elif sort == "relevance" and plan.words:
        ids = _names_first(plan, offset + limit + 1)
    else:
        ids = plan.by_recency(offset + limit + 1, names_only=None)
    page = ids[offset : offset + limit]
    return SearchPage(page, len(ids) > offset + limit)


def _names_first(plan: _Plan, wanted: int) -> list[int]:
    """Members whose name matches every word first, then the others; each part most recent first."""
    names = plan.by_recency(wanted, names_only=True)
    if len(names) >= wanted:
        return names
    return names + plan.by_recency(wanted - len(names), names_only=False)


class _Plan:
    def __init__(self, network: Network, audience: Audience, words: list[Word], facets: list[tuple[str, ...]]):
        self.network = network
        self.audience = audience
        self.words = words
        self.facets = facets

    def by_recency(self, limit: int, *, names_only: bool | None) -> list[int]:
        """names_only: True for name matches only, False for the others, None for every match."""
        raise NotImplementedError

    def by_kana(self, limit: int) -> list[int]:
        raise NotImplementedError


class _SQLite(_Plan):
    """FTS5: the rowid is the recency key, so `ORDER BY rowid DESC LIMIT n` streams the index."""

    def _match(self, names_only: bool | None) -> str:
        names, text = f"{self.audience}_names", f"{self.audience}_text"
        parts = [f'{{{text}}}: "{network_token(self.network.pk)}"']
        parts.extend(f"{{{text}}}: ({' OR '.join(_quoted(token) for token in group)})" for group in self.facets)
        if self.words:
            phrases = " AND ".join(_quoted(" ".join(word.tokens)) for word in self.words)
            columns = names if names_only else f"{names} {text}"
            parts.append(f"{{{columns}}}: ({phrases})")
            if names_only is False:
                return f"({' AND '.join(parts)}) NOT {{{names}}}: ({phrases})"
        return " AND ".join(parts)

    def by_recency(self, limit: int, *, names_only: bool | None) -> list[int]:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT rowid FROM directory_fts WHERE directory_fts MATCH %s ORDER BY rowid DESC LIMIT %s",
                [self._match(names_only), limit],
            )
            return [row[0] & _MEMBERSHIP_ID_MASK for row in cursor.fetchall()]

    def by_kana(self, limit: int) -> list[int]:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT membership_id FROM directory_searchdocument WHERE network_id = %s AND rank_key IN "
                "(SELECT rowid FROM directory_fts WHERE directory_fts MATCH %s) "
                "ORDER BY sort_name, rank_key LIMIT %s",
                [self.network.pk, self._match(None), limit],
            )
            return [row[0] for row in cursor.fetchall()]


_PG_SELECT = "SELECT membership_id FROM directory_searchdocument WHERE network_id = %s AND "
_PG_BY_RECENCY = {
    "alumni": _PG_SELECT + "alumni_vector @@ %s::tsquery ORDER BY rank_key DESC LIMIT %s",
    "staff": _PG_SELECT + "staff_vector @@ %s::tsquery ORDER BY rank_key DESC LIMIT %s",
}
_PG_BY_KANA = {
    "alumni": _PG_SELECT + "alumni_vector @@ %s::tsquery ORDER BY sort_name, rank_key LIMIT %s",
    "staff": _PG_SELECT + "staff_vector @@ %s::tsquery ORDER BY sort_name, rank_key LIMIT %s",
}


class _PostgreSQL(_Plan):
    """tsvector with positions (names weighted A) and GIN; phrases with <->.

    One fixed statement per audience and order; the query is a parameter.
    """

    def _tsquery(self, names_only: bool | None) -> str:
        parts = [f"'{network_token(self.network.pk)}'"]
        parts.extend("(" + " | ".join(f"'{token}'" for token in group) + ")" for group in self.facets)
        if self.words:
            any_field = " & ".join(_phrase(word, "") for word in self.words)
            in_names = " & ".join(_phrase(word, ":A") for word in self.words)
            if names_only is True:
                parts.append(f"({in_names})")
            else:
                parts.append(f"({any_field})")
                if names_only is False:
                    parts.append(f"!({in_names})")
        return " & ".join(parts)

    def by_recency(self, limit: int, *, names_only: bool | None) -> list[int]:
        with connection.cursor() as cursor:
            cursor.execute(
                _PG_BY_RECENCY[self.audience],
                [self.network.pk, self._tsquery(names_only), limit],
            )
            return [row[0] for row in cursor.fetchall()]

    def by_kana(self, limit: int) -> list[int]:
        with connection.cursor() as cursor:
            cursor.execute(
                _PG_BY_KANA[self.audience],
                [self.network.pk, self._tsquery(None), limit],
            )
            return [row[0] for row in cursor.fetchall()]


def _quoted(tokens: str) -> str:
    return '"' + tokens + '"'


def _phrase(word: Word, weight: str) -> str:
    return "(" + " <-> ".join(f"'{token}'{weight}" for token in word.tokens) + ")"
