"""Character n-grams: how texts and queries become the tokens the full-text indexes hold.

Text is normalised (NFKC: full- and half-width alike; lower case; katakana folded to hiragana, so
that a reading matches in either script), then cut into runs of letters and digits. Each run gives
its bigrams in order (adjacent tokens, so a word of n characters is a phrase of its n-1 bigrams),
then its distinct characters as unigrams (so one-character words match). The unigrams also keep
the bigrams of two runs apart: a phrase never matches across a gap.

Facets and flags are tokens of three or more characters, which no n-gram can be.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from enishi.lib.japanese import normalise, to_hiragana


def _runs(text: str) -> list[str]:
    folded = to_hiragana(normalise(text))
    runs: list[str] = []
    current: list[str] = []
    for character in folded:
        if character.isalnum():
            current.append(character)
        elif current:
            runs.append("".join(current))
            current = []
    if current:
        runs.append("".join(current))
    return runs


def text_tokens(texts: Iterable[str]) -> list[str]:
    tokens: list[str] = []
    for text in texts:
        for run in _runs(text):
            tokens.extend(run[index : index + 2] for index in range(len(run) - 1))
            tokens.extend(dict.fromkeys(run))
    return tokens


def network_token(network_id: int) -> str:
    return f"xn{network_id}"


def company_token(company_id: int) -> str:
    return f"xc{company_id}"


def leave_year_token(year: int) -> str:
    return f"xy{year}"


def industry_token(industry: str) -> str:
    return "xi" + "".join(character for character in industry if character.isalnum())


def prefecture_token(location: str) -> str:
    return "xp" + to_hiragana(normalise(location))


def skill_token(skill_id: int) -> str:
    return f"xs{skill_id}"


def department_token(department: str) -> str:
    return "xd" + "".join(character for character in to_hiragana(normalise(department)) if character.isalnum())


def intent_token(intent: str) -> str:
    """An answer about returning or collaborating (profiles.vocabulary.IntentFacet values)."""
    return "xm" + "".join(character for character in intent if character.isalnum())


def rehire_token(eligibility: str) -> str:
    """Staff only: the rehire eligibility of one of the member's employment records."""
    return "xr" + "".join(character for character in eligibility if character.isalnum())


def source_token(source: str) -> str:
    """Staff only: how the member registered (intake.sources.RegistrationSource values)."""
    return "xq" + "".join(character for character in source if character.isalnum())


@dataclass(frozen=True)
class Word:
    """One word of a query: the tokens it must match, adjacent (a phrase) when there are several."""

    tokens: tuple[str, ...]


def query_words(query: str) -> list[Word]:
    words: list[Word] = []
    for run in _runs(query):
        if len(run) == 1:
            words.append(Word((run,)))
        else:
            words.append(Word(tuple(run[index : index + 2] for index in range(len(run) - 1))))
    return list(dict.fromkeys(words))


@dataclass(frozen=True)
class Filters:
    """Facets: any of the values within one facet, every facet given."""

    company_ids: tuple[int, ...] = ()
    leave_year_from: int | None = None
    leave_year_to: int | None = None
    industries: tuple[str, ...] = ()
    prefectures: tuple[str, ...] = ()
    skill_ids: tuple[int, ...] = ()
    departments: tuple[str, ...] = ()
    intents: tuple[str, ...] = ()
    # Staff only: these tokens are in the staff texts alone, so they match nothing for alumni.
    rehire: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()

    def token_groups(self) -> list[tuple[str, ...]]:
        """Each facet as the tokens of which a document must hold at least one."""
        groups: list[tuple[str, ...]] = []
        if self.company_ids:
            groups.append(tuple(company_token(company_id) for company_id in self.company_ids))
        if self.leave_year_from is not None or self.leave_year_to is not None:
            first = max(self.leave_year_from or LEAVE_YEAR_FLOOR, LEAVE_YEAR_FLOOR)
            last = min(self.leave_year_to or LEAVE_YEAR_CEILING, LEAVE_YEAR_CEILING)
            groups.append(tuple(leave_year_token(year) for year in range(first, last + 1)) or ("xy0",))
        if self.industries:
            groups.append(tuple(industry_token(industry) for industry in self.industries))
        if self.prefectures:
            groups.append(tuple(prefecture_token(prefecture) for prefecture in self.prefectures))
        if self.skill_ids:
            groups.append(tuple(skill_token(skill_id) for skill_id in self.skill_ids))
        if self.departments:
            groups.append(tuple(department_token(department) for department in self.departments))
        if self.intents:
            groups.append(tuple(intent_token(intent) for intent in self.intents))
        if self.rehire:
            groups.append(tuple(rehire_token(value) for value in self.rehire))
        if self.sources:
            groups.append(tuple(source_token(value) for value in self.sources))
        return groups


# A range is the tokens of its years: bounded, so an open range stays a short OR.
LEAVE_YEAR_FLOOR = 1960
LEAVE_YEAR_CEILING = 2060
