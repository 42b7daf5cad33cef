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
    plan = _plan(network, audience, query, filters)
    if sort == "kana":
        ids = plan.by_kana(offset + limit + 1)
    elif sort == "relevance" and plan.words:
        ids = _names_first(plan, offset + limit + 1)
    else:
        ids = plan.by_recency(offset + limit + 1, names_only=None)
    page = ids[offset : offset + limit]
    return SearchPage(page, len(ids) > offset + limit)


def all_matches(
    network: Network, viewer: Membership | Audience, query: str, *, filters: Filters | None = None, limit: int
) -> list[int]:
    """Every match in kana order, at most `limit` (exports and segments; the pages use `search`)."""
    audience = audience_of(viewer)
    if audience is None or (not isinstance(viewer, str) and viewer.network_id != network.pk):
        return []
    return _plan(network, audience, query, filters).by_kana(limit)


def _plan(network: Network, audience: Audience, query: str, filters: Filters | None) -> _Plan:
    backend = _PostgreSQL if connection.vendor == "postgresql" else _SQLite
    return backend(network, audience, query_words(query), (filters or Filters()).token_groups())


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
    """FTS5: the rowid is the recency key, so `ORDER BY rowid DESC LIMIT n` streams the index.

    Two FTS5 tables: `directory_fts` over names and texts, and `directory_names_fts` over the names
    and the facet keys only (migration 0004), which answers the names-first probe of relevance
    from the small doclists of names.
    """

    def _match(self, names_only: bool | None) -> str:
        names, text = f"{self.audience}_names", f"{self.audience}_text"
        if names_only is True:
            text = f"{self.audience}_keys"  # in directory_names_fts
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
        table = "directory_names_fts" if names_only is True else "directory_fts"
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT rowid FROM {table} WHERE {table} MATCH %s ORDER BY rowid DESC LIMIT %s",  # noqa: S608
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


# PostgreSQL cannot stream a GIN index in recency order, so a probe takes whichever of two reads is
# short (docs/PERFORMANCE.md, "Directory search"). First `recent`: the RECENT_WINDOW most recently
# active documents, in order through the (network, rank_key) btree, each checked against the query;
# a word held by one document in RECENT_WINDOW / page or more fills the page there. Otherwise the
# word is rare, and `everywhere` asks the GIN index for its few candidates: documents holding every
# token, which the index answers exactly, without reading the long (TOASTed) vectors. It is
# materialised, so the planner cannot swap the bitmap for the walk on a misestimate (it multiplies
# the frequencies of a phrase's bigrams as if they were independent). The candidates, most recent
# first, are then checked against the full query (phrases, names) until the page is full, one index
# lookup each: OFFSET 0 keeps that subquery from being flattened into a join that checks them all.
# One statement: the second read runs only when the first fell short. The window bounds the waste
# of the first read when the word is rare: at 1M documents 2,000 checks cost ~8 ms (each vector is
# read from its TOAST table), and a word the window misses has ~10,000 candidates or fewer (~2 µs
# each).
_PG_RECENT_WINDOW = 2000
_PG_PROBE = """
WITH recent AS MATERIALIZED (
    SELECT rank_key, membership_id FROM (
        SELECT rank_key, membership_id, {vector}, {names_vector} FROM directory_searchdocument
        WHERE network_id = %(network)s ORDER BY rank_key DESC LIMIT %(window)s
    ) AS latest
    WHERE {condition} ORDER BY rank_key DESC LIMIT %(limit)s
), everywhere AS MATERIALIZED (
    SELECT rank_key FROM directory_searchdocument WHERE network_id = %(network)s AND {candidates}
)
SELECT membership_id FROM (
    (SELECT membership_id, rank_key FROM recent WHERE (SELECT count(*) FROM recent) >= %(limit)s)
    UNION ALL
    (SELECT found.membership_id, candidate.rank_key
        FROM (SELECT rank_key FROM everywhere ORDER BY rank_key DESC) AS candidate
        CROSS JOIN LATERAL (
            SELECT membership_id FROM directory_searchdocument
            WHERE network_id = %(network)s AND rank_key = candidate.rank_key AND {condition} OFFSET 0
        ) AS found
        WHERE (SELECT count(*) FROM recent) < %(limit)s ORDER BY candidate.rank_key DESC LIMIT %(limit)s)
) AS page ORDER BY rank_key DESC
"""
# names_only: None, every match; True, a name matches every word; False, the other matches. The
# names have a vector and GIN index of their own, which holds the facet tokens too (migration 0003):
# a name probe is one index intersection sized by the statistics of names, not of the job titles.
# The parameters: query, the words as phrases and the facets; tokens, every token of the words and
# the facets; names, the words as phrases alone.
_PG_CONDITIONS = {
    None: ("{vector} @@ %(query)s::tsquery", "{vector} @@ %(tokens)s::tsquery"),
    True: ("{names_vector} @@ %(query)s::tsquery", "{names_vector} @@ %(tokens)s::tsquery"),
    False: (
        "{vector} @@ %(query)s::tsquery AND NOT {names_vector} @@ %(names)s::tsquery",
        "{vector} @@ %(tokens)s::tsquery",
    ),
}
_PG_BY_RECENCY = {
    (audience, names_only): _PG_PROBE.format(
        vector=f"{audience}_vector",
        names_vector=f"{audience}_names_vector",
        condition=condition.format(vector=f"{audience}_vector", names_vector=f"{audience}_names_vector"),
        candidates=candidates.format(vector=f"{audience}_vector", names_vector=f"{audience}_names_vector"),
    )
    for audience in ("alumni", "staff")
    for names_only, (condition, candidates) in _PG_CONDITIONS.items()
}
_PG_SELECT = "SELECT membership_id FROM directory_searchdocument WHERE network_id = %s AND "
_PG_BY_KANA = {
    "alumni": _PG_SELECT + "alumni_vector @@ %s::tsquery ORDER BY sort_name, rank_key LIMIT %s",
    "staff": _PG_SELECT + "staff_vector @@ %s::tsquery ORDER BY sort_name, rank_key LIMIT %s",
}


class _PostgreSQL(_Plan):
    """tsvector with positions (names weighted A, and alone in their own vector) and GIN; phrases with <->.

    Fixed statements per audience and order; the queries are parameters.
    """

    def _query(self, words: str) -> str:
        """The words (a tsquery, may be empty) and every facet: what a document must hold."""
        groups = ["(" + " | ".join(f"'{token}'" for token in group) + ")" for group in self.facets]
        # Only listed members' vectors hold anything (the network token too), so any word or facet
        # matches listed members only. The network token is then left out: intersecting the posting
        # list of the whole network is most of the GIN index's work. Alone, it lists the listed.
        return " & ".join(filter(None, [words, *groups])) or f"'{network_token(self.network.pk)}'"

    def by_recency(self, limit: int, *, names_only: bool | None) -> list[int]:
        words = " & ".join(_phrase(word) for word in self.words)
        tokens = " & ".join(dict.fromkeys(f"'{token}'" for word in self.words for token in word.tokens))
        # The same tsqueries serve either vector: the names vector holds the facets too.
        parameters = {"query": self._query(words), "tokens": self._query(tokens), "names": words}
        with connection.cursor() as cursor:
            cursor.execute(
                _PG_BY_RECENCY[self.audience, names_only],
                {"network": self.network.pk, "window": _PG_RECENT_WINDOW, "limit": limit, **parameters},
            )
            return [row[0] for row in cursor.fetchall()]

    def by_kana(self, limit: int) -> list[int]:
        words = " & ".join(_phrase(word) for word in self.words)
        with connection.cursor() as cursor:
            cursor.execute(_PG_BY_KANA[self.audience], [self.network.pk, self._query(words), limit])
            return [row[0] for row in cursor.fetchall()]


def _quoted(tokens: str) -> str:
    return '"' + tokens + '"'


def _phrase(word: Word) -> str:
    return "(" + " <-> ".join(f"'{token}'" for token in word.tokens) + ")"
