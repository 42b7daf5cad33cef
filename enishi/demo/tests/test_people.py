from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from enishi.demo.catalogue import ENISHI_GROUP, SAMPLE_TRADING
from enishi.demo.people import Person, PersonFactory

TODAY = date(2025, 6, 15)
MIDNIGHT = datetime(2025, 6, 15, tzinfo=ZoneInfo("Asia/Tokyo"))


def people(count: int, seed: int = 1, companies: tuple = ENISHI_GROUP) -> list[Person]:
    factory = PersonFactory(random.Random(seed), companies, TODAY, MIDNIGHT)
    return [factory.person() for _ in range(count)]


def test_it_draws_the_same_people_from_the_same_seed() -> None:
    assert people(200) == people(200)
    assert people(200) != people(200, seed=2)


def test_it_keeps_careers_plausible() -> None:
    crowd = people(3000)
    for person in crowd:
        first, last = person.stints[0], person.stints[-1]
        assert timedelta(days=365) <= last.leave_date - first.hire_date <= timedelta(days=int(30 * 365.25) + 1)
        assert TODAY - timedelta(days=15 * 365 + 31) <= last.leave_date <= TODAY - timedelta(days=30)
        assert person.joined_at.date() > last.leave_date
        assert person.joined_at < MIDNIGHT
        for earlier, later in zip(person.stints, person.stints[1:], strict=False):
            assert earlier.leave_date + timedelta(days=1) == later.hire_date
            assert later.hire_date.day == 1
            assert earlier.company != later.company
    movers = sum(len(person.stints) == 2 for person in crowd) / len(crowd)
    assert 0.03 <= movers <= 0.07
    new_graduates = sum(person.stints[0].hire_date.strftime("%m-%d") == "04-01" for person in crowd) / len(crowd)
    assert new_graduates >= 0.5


def test_it_keeps_activity_within_the_last_three_months() -> None:
    for person in people(1000):
        assert person.active_days == tuple(sorted(set(person.active_days), reverse=True))
        assert all(TODAY - timedelta(days=89) <= day <= TODAY for day in person.active_days)
        assert len(person.active_days) <= 5
        if person.active_days:
            assert person.active_days[0] == person.last_active_on


def test_it_never_moves_people_within_a_single_company_network() -> None:
    assert all(len(person.stints) == 1 for person in people(2000, companies=SAMPLE_TRADING))
