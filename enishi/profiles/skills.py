"""The shared skill vocabulary: free tags typed by alumni become one Skill, whatever the spelling.

「Python」「ｐｙｔｈｏｎ」「パイソン」 are one skill: the text is normalised (NFKC, lower case, spaces
collapsed) into a key, looked up among the skills' keys, then among their synonyms (SkillAlias),
then in the built-in synonym list; an unknown skill is created as typed (in NFKC).
"""

from __future__ import annotations

import re
import unicodedata

from django.db import IntegrityError, transaction

from enishi.lib.japanese import normalise
from enishi.profiles.models import Skill, SkillAlias

SKILL_MAX_LENGTH = 60
# Canonical name → other ways people write it. Stored as SkillAlias rows by migration 0002 and by
# seed_skill_synonyms(); also read here directly, so a fresh or flushed database still normalises.
BUILT_IN_SYNONYMS: dict[str, tuple[str, ...]] = {
    "Python": ("パイソン",),
    "JavaScript": ("JS", "ジャバスクリプト"),
    "経理": ("会計",),
    "営業": ("セールス", "sales"),
    "マーケティング": ("marketing",),
    "プロジェクトマネジメント": ("PM", "project management", "プロジェクト管理"),
    "データ分析": ("data analysis", "データアナリシス"),
}
_SPACES = re.compile(r"\s+")


def skill_key(text: str) -> str:
    """What two spellings of one skill have in common: NFKC, lower case, single spaces."""
    return _SPACES.sub(" ", normalise(text)).strip()[:SKILL_MAX_LENGTH]


def _built_in_canonical() -> dict[str, str]:
    return {skill_key(alias): name for name, aliases in BUILT_IN_SYNONYMS.items() for alias in aliases}


def normalise_skill(text: str) -> Skill | None:
    """The Skill that `text` names, created when unknown; None for blank text."""
    key = skill_key(text)
    if not key:
        return None
    skill = Skill.objects.filter(key=key).first()
    if skill is not None:
        return skill
    alias = SkillAlias.objects.select_related("skill").filter(key=key).first()
    if alias is not None:
        return alias.skill
    # A new skill keeps the person's letter case, in half-width Latin and full-width kana (NFKC).
    name = _built_in_canonical().get(key) or _SPACES.sub(" ", unicodedata.normalize("NFKC", text)).strip()
    return _get_or_create(name[:SKILL_MAX_LENGTH])


def _get_or_create(name: str) -> Skill:
    key = skill_key(name)
    try:
        with transaction.atomic():  # two people adding one new skill at once: the second reads the first's
            return Skill.objects.get_or_create(key=key, defaults={"name": name})[0]
    except IntegrityError:
        return Skill.objects.get(key=key)


def seed_skill_synonyms() -> int:
    """Store the built-in synonyms as SkillAlias rows (idempotent). Returns how many were added."""
    added = 0
    for name, aliases in BUILT_IN_SYNONYMS.items():
        skill = _get_or_create(name)
        for alias in aliases:
            _, created = SkillAlias.objects.get_or_create(key=skill_key(alias), defaults={"skill": skill})
            added += int(created)
    return added


def find_skills(texts: list[str]) -> tuple[list[Skill], list[str]]:
    """The known skills that `texts` name (by name or synonym), and the texts that name none.
    Searching never adds to the vocabulary."""
    keys = {text: skill_key(text) for text in texts if skill_key(text)}
    found = {skill.key: skill for skill in Skill.objects.filter(key__in=keys.values())}
    for alias in SkillAlias.objects.select_related("skill").filter(key__in=set(keys.values()) - found.keys()):
        found[alias.key] = alias.skill
    skills = list({found[key].pk: found[key] for key in keys.values() if key in found}.values())
    return skills, [text for text, key in keys.items() if key not in found]
