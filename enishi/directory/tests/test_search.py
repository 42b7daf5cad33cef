"""Japanese full-text search: the same answers on SQLite and PostgreSQL (CI runs both)."""

from __future__ import annotations

from datetime import date

import pytest
from django_scopes import scopes_disabled

from conftest import PersonaNetwork
from enishi.directory.indexing import rebuild, reindex_members
from enishi.directory.models import SearchDocument
from enishi.directory.search import search
from enishi.directory.tests.conftest import Person
from enishi.directory.tokens import Filters
from enishi.networks.models import Company


def ids(net: PersonaNetwork, query: str, **options: object) -> list[int]:
    return search(net.network, "alumni", query, **options).membership_ids  # type: ignore[arg-type]


@pytest.fixture
def people(net_a: PersonaNetwork, person: Person) -> dict[str, int]:
    network = net_a.network
    with scopes_disabled():
        other_company = Company.objects.create(network=network, name_ja="ベータ商事", name_en="Beta Trading")
    return {
        "yamamoto": person(
            network, "山本", "彩", "ヤマモト", "アヤ",
            headline="営業企画マネージャー", organisation="株式会社みらい", role_title="データサイエンティスト",
            skills=("Python", "SQL"), industry="it", location="東京都",
            company=net_a.company, leave_date=date(2019, 3, 31), last_active_on=date(2024, 5, 1),
        ).pk,
        "tanaka": person(
            network, "田中", "誠", "タナカ", "マコト",
            headline="人事部で採用を担当", organisation="ひかり銀行", role_title="経理",
            skills=("会計",), industry="finance", location="大阪府",
            company=other_company, leave_date=date(2015, 9, 30), last_active_on=date(2024, 6, 1),
        ).pk,
        "kobayashi": person(
            network, "小林", "健", "コバヤシ", "ケン",
            headline="Sales manager", organisation="Mirai Trading", now_text="営業の仕事を続けています",
            career=(("あおば物産", "営業", "法人営業を5年"),),
            company=net_a.company, leave_date=date(2021, 3, 31), last_active_on=date(2024, 4, 1),
        ).pk,
    }  # fmt: skip


def test_it_finds_two_character_words(net_a: PersonaNetwork, people: dict[str, int]) -> None:
    assert ids(net_a, "営業") == [people["yamamoto"], people["kobayashi"]]
    assert ids(net_a, "人事") == [people["tanaka"]]
    assert ids(net_a, "経理") == [people["tanaka"]]


def test_it_finds_one_character_words(net_a: PersonaNetwork, people: dict[str, int]) -> None:
    assert ids(net_a, "彩") == [people["yamamoto"]]
    assert ids(net_a, "誠") == [people["tanaka"]]


def test_it_finds_partial_words_and_long_katakana_words(net_a: PersonaNetwork, people: dict[str, int]) -> None:
    assert ids(net_a, "データサイエンティスト") == [people["yamamoto"]]
    assert ids(net_a, "サイエン") == [people["yamamoto"]]
    assert ids(net_a, "データサイエンス") == []
    assert ids(net_a, "企画マネ") == [people["yamamoto"]]


def test_it_matches_english_whatever_the_case_and_width(net_a: PersonaNetwork, people: dict[str, int]) -> None:
    assert ids(net_a, "python") == [people["yamamoto"]]
    assert ids(net_a, "PYTHON") == [people["yamamoto"]]
    assert ids(net_a, "ＰＹＴＨＯＮ") == [people["yamamoto"]]
    assert ids(net_a, "sales MANAGER") == [people["kobayashi"]]
    assert ids(net_a, "trading") == [people["kobayashi"]]


def test_it_matches_half_width_kana(net_a: PersonaNetwork, people: dict[str, int]) -> None:
    assert ids(net_a, "ﾃﾞｰﾀｻｲｴﾝﾃｨｽﾄ") == [people["yamamoto"]]


def test_it_finds_names_in_kanji_and_in_either_kana(net_a: PersonaNetwork, people: dict[str, int]) -> None:
    assert ids(net_a, "山本彩") == [people["yamamoto"]]
    assert ids(net_a, "山本 彩") == [people["yamamoto"]]
    assert ids(net_a, "山本　彩") == [people["yamamoto"]]
    assert ids(net_a, "ヤマモト") == [people["yamamoto"]]
    assert ids(net_a, "やまもと あや") == [people["yamamoto"]]
    assert ids(net_a, "やまもとあや") == [people["yamamoto"]]
    assert ids(net_a, "ﾀﾅｶ") == [people["tanaka"]]


def test_it_never_matches_across_two_fields(net_a: PersonaNetwork, people: dict[str, int]) -> None:
    # 山本 (family name) and 彩 (given name) are searched together only as the full name, and
    # the end of one field never joins the start of the next.
    assert ids(net_a, "本彩ヤ") == []
    assert ids(net_a, "") == [people["tanaka"], people["yamamoto"], people["kobayashi"]]


def test_it_combines_words_with_facets(net_a: PersonaNetwork, people: dict[str, int]) -> None:
    company = Filters(company_ids=(net_a.company.pk,))
    assert ids(net_a, "営業", filters=company) == [people["yamamoto"], people["kobayashi"]]
    assert ids(net_a, "営業", filters=Filters(company_ids=(net_a.company.pk,), leave_year_from=2020)) == [
        people["kobayashi"]
    ]
    assert ids(net_a, "", filters=Filters(leave_year_from=2014, leave_year_to=2016)) == [people["tanaka"]]
    assert ids(net_a, "", filters=Filters(industries=("finance", "it"), prefectures=("東京都",))) == [
        people["yamamoto"]
    ]
    with scopes_disabled():
        from enishi.profiles.models import Skill

        python = Skill.objects.get(key="python")
    assert ids(net_a, "データ", filters=Filters(skill_ids=(python.pk,), industries=("it",))) == [people["yamamoto"]]
    assert ids(net_a, "人事", filters=Filters(skill_ids=(python.pk,))) == []


def test_it_sorts_by_relevance_recency_and_kana(net_a: PersonaNetwork, people: dict[str, int], person: Person) -> None:
    # 営業 in the name of a less recently active person: name matches come first.
    eigyo = person(net_a.network, "営業", "花子", "エイギョウ", "ハナコ", last_active_on=date(2020, 1, 1)).pk
    assert ids(net_a, "営業") == [eigyo, people["yamamoto"], people["kobayashi"]]
    assert ids(net_a, "営業", sort="recent") == [people["yamamoto"], people["kobayashi"], eigyo]
    assert ids(net_a, "", sort="kana") == [eigyo, people["kobayashi"], people["tanaka"], people["yamamoto"]]
    assert ids(net_a, "営業", sort="kana") == [eigyo, people["kobayashi"], people["yamamoto"]]


def test_it_pages_results(net_a: PersonaNetwork, people: dict[str, int], person: Person) -> None:
    eigyo = person(net_a.network, "営業", "花子", "エイギョウ", "ハナコ", last_active_on=date(2020, 1, 1)).pk
    first = search(net_a.network, "alumni", "営業", limit=2)
    second = search(net_a.network, "alumni", "営業", limit=2, offset=2)
    assert first == ([eigyo, people["yamamoto"]], True)
    assert second == ([people["kobayashi"]], False)
    assert search(net_a.network, "alumni", "営業", limit=1, offset=1) == ([people["yamamoto"]], True)


def test_it_runs_a_constant_number_of_queries(
    net_a: PersonaNetwork, people: dict[str, int], django_assert_num_queries: object
) -> None:
    with django_assert_num_queries(2):  # type: ignore[operator]
        search(net_a.network, "alumni", "営業 データ", filters=Filters(company_ids=(1, 2)), limit=200)
    with django_assert_num_queries(1):  # type: ignore[operator]
        search(net_a.network, "alumni", "営業", sort="recent", limit=200)


def test_it_keeps_other_networks_apart(
    net_a: PersonaNetwork, net_b: PersonaNetwork, people: dict[str, int], person: Person
) -> None:
    person(net_b.network, "山本", "彩", "ヤマモト", "アヤ", headline="営業")
    assert ids(net_a, "山本") == [people["yamamoto"]]
    assert len(search(net_b.network, "alumni", "営業").membership_ids) == 1
    # A viewer of another network searches nothing here.
    assert search(net_a.network, net_b.memberships["alumnus1"], "山本") == ([], False)


def test_it_rebuilds_a_network(net_a: PersonaNetwork, people: dict[str, int]) -> None:
    with scopes_disabled():
        SearchDocument.objects.all().delete()
    assert ids(net_a, "営業") == []
    # The personas are active alumni too (supporter, alumnus1, alumnus2), not listed.
    assert rebuild(net_a.network) == 6
    assert ids(net_a, "営業") == [people["yamamoto"], people["kobayashi"]]
    assert search(net_a.network, "staff", "佐藤").membership_ids == [net_a.memberships["alumnus1"].pk]
    reindex_members(net_a.network, [])


def test_it_rebuilds_from_the_command(net_a: PersonaNetwork, people: dict[str, int]) -> None:
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("rebuild_search_index", "--network", "alpha", stdout=out)
    assert out.getvalue() == "alpha: 6 members indexed\n"
    assert ids(net_a, "営業") == [people["yamamoto"], people["kobayashi"]]
