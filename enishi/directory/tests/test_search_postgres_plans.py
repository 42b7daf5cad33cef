"""The two reads of a PostgreSQL probe give the same answers as SQLite (CI runs both databases).

On PostgreSQL a probe first checks the most recently active documents in order (a window), and
falls back to the full-text index when they hold fewer matches than the page needs. With a real
network both reads happen only at scale; here the window is shrunk to three documents so that small
fixtures take either read: a common word fills the page from the window, a rare one, a long phrase
or a name lives outside it. On SQLite the window does not exist and the same answers are expected.
"""

from __future__ import annotations

from datetime import date

import pytest

from conftest import PersonaNetwork
from enishi.directory import search as search_module
from enishi.directory.search import search
from enishi.directory.tests.conftest import Person
from enishi.directory.tokens import Filters


@pytest.fixture(autouse=True)
def small_window(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(search_module, "_PG_RECENT_WINDOW", 3)


@pytest.fixture
def crowd(net_a: PersonaNetwork, person: Person) -> dict[str, int]:
    """Most recent first: four in sales, then a data scientist, an auditor, and 営業 as a name."""
    network = net_a.network
    made = {}
    for day, key in enumerate(("sales4", "sales3", "sales2", "sales1"), start=1):
        made[key] = person(
            network, "田中", f"太郎{key[-1]}", headline="営業", last_active_on=date(2024, 6, 30 - day)
        ).pk
    made["scientist"] = person(network, "高橋", "翔太", "タカハシ", "ショウタ", role_title="データサイエンティスト",
                               skills=("Python",), company=net_a.company, leave_date=date(2018, 3, 31),
                               last_active_on=date(2024, 3, 1)).pk  # fmt: skip
    made["auditor"] = person(network, "佐々木", "恵", headline="監査", company=net_a.company,
                             leave_date=date(2016, 3, 31), last_active_on=date(2024, 2, 1)).pk  # fmt: skip
    made["named"] = person(network, "営業", "花子", "エイギョウ", "ハナコ", headline="監査 営業",
                           last_active_on=date(2020, 1, 1)).pk  # fmt: skip
    return made


def ids(net: PersonaNetwork, query: str, **options: object) -> list[int]:
    return search(net.network, "alumni", query, **options).membership_ids  # type: ignore[arg-type]


def test_it_fills_a_page_of_a_common_word_from_the_most_recent(net_a: PersonaNetwork, crowd: dict[str, int]) -> None:
    # The page asks for one more than it shows: three, all in the window.
    assert search(net_a.network, "alumni", "営業", sort="recent", limit=2) == ([crowd["sales4"], crowd["sales3"]], True)
    assert search(net_a.network, "alumni", "営業", sort="recent", limit=1) == ([crowd["sales4"]], True)


def test_it_finds_rare_words_beyond_the_most_recent(net_a: PersonaNetwork, crowd: dict[str, int]) -> None:
    assert ids(net_a, "監査", sort="recent") == [crowd["auditor"], crowd["named"]]
    assert ids(net_a, "営業", sort="recent") == [
        crowd[key] for key in ("sales4", "sales3", "sales2", "sales1", "named")
    ]
    assert ids(net_a, "監査", filters=Filters(company_ids=(net_a.company.pk,), leave_year_to=2017)) == [
        crowd["auditor"]
    ]


def test_it_finds_long_phrases_and_names_beyond_the_most_recent(net_a: PersonaNetwork, crowd: dict[str, int]) -> None:
    assert ids(net_a, "データサイエンティスト") == [crowd["scientist"]]
    assert ids(net_a, "python", filters=Filters(leave_year_from=2018, leave_year_to=2018)) == [crowd["scientist"]]
    assert ids(net_a, "データサイエンス") == []
    assert ids(net_a, "たかはし しょうた") == [crowd["scientist"]]
    assert ids(net_a, "高橋 翔太", sort="recent") == [crowd["scientist"]]


def test_it_puts_name_matches_first_whichever_read_finds_them(net_a: PersonaNetwork, crowd: dict[str, int]) -> None:
    # 営業 is the name of the least recently active member: first by relevance, last by recency.
    others = [crowd[key] for key in ("sales4", "sales3", "sales2", "sales1")]
    assert ids(net_a, "営業") == [crowd["named"], *others]
    assert ids(net_a, "営業", limit=3) == [crowd["named"], *others[:2]]
    assert search(net_a.network, "alumni", "営業", limit=2, offset=2).membership_ids == others[1:3]
    assert ids(net_a, "営業 監査") == [crowd["named"]]
    # Only names match: the first read of names fills the page, the second is not needed.
    assert ids(net_a, "田中", limit=2) == others[:2]
