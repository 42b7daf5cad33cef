"""Draw plausible alumni: names, careers in the group, when they joined the network, when they were active.

Pure and deterministic: everything comes from the `random.Random` handed in and from `today`, so
the same seed gives the same people. No database here; `services.py` turns people into rows.

The shapes follow how Japanese companies work: new graduates join on 1 April at 22–24, mid-career
hires on the first of a month; most people leave at the end of a month; a few move to another
company of the group (転籍) on the first of a month; some women's HR records carry the family name
they had while employed (旧姓).
"""

from __future__ import annotations

import calendar
import itertools
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from enishi.demo.catalogue import CompanySpec
from enishi.demo.names import FAMILY_NAMES, FEMALE_GIVEN_NAMES, MALE_GIVEN_NAMES, Name

YEAR = 365.25
LEAVE_WINDOW_DAYS = 15 * 365  # leavers of the last ~15 years
MIN_DAYS_SINCE_LEAVING = 30  # nobody joins the alumni network before their last day
MAX_TENURE_YEARS = 30
RETIREMENT_AGE = 65
NEW_GRADUATE_SHARE = 0.65
MONTH_END_LEAVE_SHARE = 0.8
MOVER_SHARE = 0.06  # of those with 2+ years: about 5 % of all alumni moved within the group
MIN_STINT_DAYS = 365
FEMALE_SHARE = 0.45
MAIDEN_NAME_SHARE = 0.06  # of women: the HR record has their former family name
ENGLISH_SHARE = 0.03  # prefer the English UI
ACTIVATION_WINDOW_DAYS = 548  # the network opened about 18 months ago
ACTIVITY_WINDOW_DAYS = 90  # active days are kept for the last ~3 months
RECENT_SHARE = 0.60  # active in the last 30 days (a healthy alumni network's MAU)
LAPSED_SHARE = 0.15  # active 30–89 days ago, not since
MAX_EXTRA_DAYS_RECENT = 4
MAX_EXTRA_DAYS_LAPSED = 2


@dataclass(frozen=True, slots=True)
class Stint:
    """One employment at one company: becomes one EmploymentRecord."""

    company: int  # index into the network's companies
    department: str
    hire_date: date
    leave_date: date
    family_name: Name  # as HR knew it (maiden name for some)


@dataclass(frozen=True, slots=True)
class Person:
    family: Name
    given: Name
    language: str
    stints: tuple[Stint, ...]
    joined_at: datetime  # membership activated
    last_active_on: date
    active_days: tuple[date, ...]  # within the activity window, newest first


def _cumulative_weights(count: int) -> list[float]:
    """Zipf-like weights: the tables are ordered by frequency, so early names come up more often.

    With 340 family names this gives 佐藤 about 1.7 %, close to its real share in Japan.
    """
    return list(itertools.accumulate(1.0 / (rank + 20) for rank in range(count)))


def _month_end(day: date) -> date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def _first_of_next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


class PersonFactory:
    """Makes people one after another from one random stream."""

    def __init__(
        self, rng: random.Random, companies: Sequence[CompanySpec], today: date, today_midnight: datetime
    ) -> None:
        self.rng = rng
        self.companies = companies
        self.today = today
        self.today_midnight = today_midnight  # aware local midnight of `today`
        self._company_weights = list(itertools.accumulate(company.weight for company in companies))
        self._family_weights = _cumulative_weights(len(FAMILY_NAMES))
        self._male_weights = _cumulative_weights(len(MALE_GIVEN_NAMES))
        self._female_weights = _cumulative_weights(len(FEMALE_GIVEN_NAMES))

    def person(self, names: tuple[Name, Name] | None = None, *, employed: bool = True) -> Person:
        """A new person; `names` (family, given) fixes the name, e.g. for the named demo accounts."""
        rng = self.rng
        female = rng.random() < FEMALE_SHARE
        family, given = names if names is not None else (self._family_name(), self._given_name(female))
        record_family = self._family_name() if female and rng.random() < MAIDEN_NAME_SHARE else family
        stints = self._career(record_family) if employed else ()
        # Staff could sign in from the day the network opened; alumni from the day after they left.
        opened = self.today - timedelta(days=ACTIVATION_WINDOW_DAYS)
        earliest_join = stints[-1].leave_date + timedelta(days=1) if stints else opened
        joined_at = self._joined_at(earliest_join)
        last_active_on, active_days = self._activity(joined_at.date())
        language = "en" if rng.random() < ENGLISH_SHARE else "ja"
        return Person(family, given, language, stints, joined_at, last_active_on, active_days)

    def _family_name(self) -> Name:
        return self.rng.choices(FAMILY_NAMES, cum_weights=self._family_weights)[0]

    def _given_name(self, female: bool) -> Name:
        if female:
            return self.rng.choices(FEMALE_GIVEN_NAMES, cum_weights=self._female_weights)[0]
        return self.rng.choices(MALE_GIVEN_NAMES, cum_weights=self._male_weights)[0]

    def _company(self, excluding: int | None = None) -> int:
        while True:  # a few draws at most: with two or more companies, each weighs well below the total
            index = self.rng.choices(range(len(self.companies)), cum_weights=self._company_weights)[0]
            if index != excluding:
                return index

    def _leave_date(self) -> date:
        latest = self.today - timedelta(days=MIN_DAYS_SINCE_LEAVING)
        day = self.today - timedelta(days=self.rng.randint(MIN_DAYS_SINCE_LEAVING, LEAVE_WINDOW_DAYS))
        if self.rng.random() < MONTH_END_LEAVE_SHARE and _month_end(day) <= latest:
            return _month_end(day)
        return day

    def _hire_date(self, leave: date) -> date:
        """1 April for new graduates, the first of a month otherwise; never more than 30 years."""
        rng = self.rng
        new_graduate = rng.random() < NEW_GRADUATE_SHARE
        hire_age = rng.randint(22, 24) if new_graduate else rng.randint(25, 40)
        # Snapping to 1 April or the 1st below adds up to a year, hence the `- 1`.
        longest = min(MAX_TENURE_YEARS - 1, RETIREMENT_AGE - hire_age)
        years = 1 + rng.expovariate(1 / 6)  # most leave within a few years; a long tail stays decades
        if years > longest:
            years = rng.uniform(1, longest)
        raw = leave - timedelta(days=int(years * YEAR))
        if not new_graduate:
            return raw.replace(day=1)
        april = date(raw.year, 4, 1)
        return april if april <= raw else date(raw.year - 1, 4, 1)

    def _career(self, record_family: Name) -> tuple[Stint, ...]:
        rng = self.rng
        leave = self._leave_date()
        hire = self._hire_date(leave)
        first = self._company()
        tenure_days = (leave - hire).days
        can_move = len(self.companies) > 1 and tenure_days >= MIN_STINT_DAYS * 2 + 31
        if rng.random() >= MOVER_SHARE or not can_move:
            return (Stint(first, rng.choice(self.companies[first].departments), hire, leave, record_family),)
        # At least a year at each company, after moving the date to the next 1st of the month.
        split = hire + timedelta(days=rng.randint(MIN_STINT_DAYS, tenure_days - MIN_STINT_DAYS - 31))
        moved = _first_of_next_month(split)
        second = self._company(excluding=first)
        return (
            Stint(first, rng.choice(self.companies[first].departments), hire, moved - timedelta(days=1), record_family),
            Stint(second, rng.choice(self.companies[second].departments), moved, leave, record_family),
        )

    def _joined_at(self, earliest: date) -> datetime:
        """Some time of day between 07:00 and 23:00, from `earliest` (or 18 months ago) to yesterday."""
        first_day = max(earliest, self.today - timedelta(days=ACTIVATION_WINDOW_DAYS))
        # Up to yesterday: a join time later today could lie in the future.
        days_ago = self.rng.randint(1, max(1, (self.today - first_day).days))
        seconds = self.rng.randint(7 * 3600, 23 * 3600)
        return self.today_midnight - timedelta(days=days_ago) + timedelta(seconds=seconds)

    def _activity(self, joined: date) -> tuple[date, tuple[date, ...]]:
        """Last active day and the active days in the window (a handful at most per person)."""
        rng = self.rng
        since_joining = (self.today - joined).days
        draw = rng.random()
        if draw < RECENT_SHARE:
            last = self.today - timedelta(days=rng.randint(0, min(29, since_joining)))
            extra = rng.randint(0, MAX_EXTRA_DAYS_RECENT)
        elif draw < RECENT_SHARE + LAPSED_SHARE and since_joining >= 30:
            last = self.today - timedelta(days=rng.randint(30, min(ACTIVITY_WINDOW_DAYS - 1, since_joining)))
            extra = rng.randint(0, MAX_EXTRA_DAYS_LAPSED)
        else:  # came once, when they registered
            last, extra = joined, 0
        window_start = max(joined, self.today - timedelta(days=ACTIVITY_WINDOW_DAYS - 1))
        if last < window_start:
            return last, ()
        span = (last - window_start).days  # candidate earlier days: window_start … last - 1
        earlier = sorted(rng.sample(range(span), min(extra, span)), reverse=True)
        return last, (last, *(window_start + timedelta(days=offset) for offset in earlier))
