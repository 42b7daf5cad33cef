from __future__ import annotations

import pytest

from enishi.profiles.models import Skill, SkillAlias
from enishi.profiles.skills import BUILT_IN_SYNONYMS, normalise_skill, seed_skill_synonyms, skill_key

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("パイソン", "Python"),
        ("python", "Python"),
        ("ＰＹＴＨＯＮ", "Python"),
        ("  Python ", "Python"),
        ("js", "JavaScript"),
        ("会計", "経理"),
        ("セールス", "営業"),
        ("Marketing", "マーケティング"),
        ("PM", "プロジェクトマネジメント"),
        ("Project   Management", "プロジェクトマネジメント"),
        ("ｄａｔａ ａｎａｌｙｓｉｓ", "データ分析"),
    ],
)
def test_it_normalises_spellings_into_one_skill(typed: str, expected: str) -> None:
    skill = normalise_skill(typed)

    assert skill is not None
    assert skill.name == expected
    assert skill.key == skill_key(expected)


def test_it_finds_the_same_skill_without_the_stored_synonyms() -> None:
    SkillAlias.objects.all().delete()  # as after a flushed database: the built-in list still applies

    first = normalise_skill("パイソン")
    second = normalise_skill("Python")

    assert first is not None
    assert second is not None
    assert first.pk == second.pk
    assert Skill.objects.filter(key="python").count() == 1


def test_it_creates_an_unknown_skill_once_as_typed() -> None:
    before = Skill.objects.count()

    created = normalise_skill("茶道")
    again = normalise_skill(" 茶道 ")

    assert created is not None
    assert again is not None
    assert (created.name, created.key, again.pk) == ("茶道", "茶道", created.pk)
    assert Skill.objects.count() == before + 1


def test_it_ignores_blank_text() -> None:
    assert normalise_skill("   ") is None


def test_it_seeds_the_synonyms_idempotently() -> None:
    SkillAlias.objects.all().delete()

    added = seed_skill_synonyms()
    again = seed_skill_synonyms()

    assert added == sum(len(aliases) for aliases in BUILT_IN_SYNONYMS.values())
    assert again == 0
    assert SkillAlias.objects.get(key="パイソン").skill.name == "Python"
