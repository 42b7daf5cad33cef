"""Directory journeys on a phone (390 x 844): an alumnus fills in their profile and intent, then finds
another alumnus by a Japanese word; HR searches the console directory (fixtures in browser_fixtures.py)."""

from __future__ import annotations

import re

import pytest
from django_scopes import scope

from browser_fixtures import Journey, assert_no_horizontal_overflow, log_in
from conftest import PersonaNetwork
from enishi.directory.indexing import reindex_members
from enishi.networks.models import Membership
from enishi.privacy.models import ConsentPurpose
from enishi.privacy.notices import grant_consent, has_consent
from enishi.profiles.models import FieldGroup, Intent, Profile, ProfileSkill, Skill, Visibility, default_visibility
from enishi.profiles.vocabulary import ReturnMode

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SECRET_NOW = "しばらく育休中です"


def wait_for(journey: Journey, path_pattern: str) -> None:
    journey.page.wait_for_url(re.compile("^" + re.escape(journey.base_url) + path_pattern))


def list_saleswoman(net: PersonaNetwork) -> Membership:
    """alumnus2 (鈴木 二葉), listed, in sales; her 近況 is for herself only."""
    membership = net.memberships["alumnus2"]
    with scope(network=net.network):
        profile = Profile.objects.create(
            network=net.network, membership=membership, headline="法人営業のマネージャー",
            organisation="株式会社みらい", role_title="営業部長", now_text=SECRET_NOW,
            visibility={**default_visibility(), FieldGroup.NOW.value: Visibility.ME.value},
        )  # fmt: skip
        for name in ("営業", "交渉"):
            skill, _created = Skill.objects.get_or_create(key=name, defaults={"name": name})
            ProfileSkill.objects.create(network=net.network, profile=profile, skill=skill)
        grant_consent(membership, ConsentPurpose.DIRECTORY_LISTING, notice=None)
        reindex_members(net.network, [membership.pk])
    return membership


def test_alumnus_edits_profile_and_finds_a_colleague(verified: PersonaNetwork, journey: Journey) -> None:
    page = journey.page
    colleague = list_saleswoman(verified)
    journey.go("/accounts/login/?next=/n/alpha/me/")
    log_in(journey, "alumnus1@a.example")
    assert journey.path() == "/n/alpha/me/"
    assert_no_horizontal_overflow(journey)
    journey.shot("1-my-profile")

    # Profile: a headline, skills in Japanese, and the current work for the secretariat only.
    page.locator('main a[href="/n/alpha/me/edit/"]').first.click()
    wait_for(journey, "/n/alpha/me/edit/$")
    form = page.locator("main form.form")
    form.locator("input[name=headline]").fill("経理とデータ分析をしています")
    form.locator("input[name=organisation]").fill("株式会社ひかり")
    form.locator("input[name=skills_text]").fill("経理、Python、データ分析")
    form.locator(f"input[name=visibility_work][value={Visibility.STAFF.value}]").check()
    assert_no_horizontal_overflow(journey)
    journey.shot("2-edit-profile", full_page=True)
    form.locator("button[type=submit]").click()
    wait_for(journey, "/n/alpha/me/$")
    main = page.locator("main")
    assert "経理とデータ分析をしています" in main.inner_text()
    assert "Python" in main.inner_text()
    assert_no_horizontal_overflow(journey)
    journey.shot("3-profile-saved")

    # Interests and intent: open to a side job and to meeting other alumni.
    page.locator('main a[href="/n/alpha/me/intent/"]').first.click()
    wait_for(journey, "/n/alpha/me/intent/$")
    form = page.locator("main form.form")
    form.locator(f"input[name=return_modes][value={ReturnMode.SIDE_JOB.value}]").check()
    form.locator("input[name=open_to_meet]").check()
    assert not form.locator("input[name=not_now]").is_checked()
    assert_no_horizontal_overflow(journey)
    journey.shot("4-intent", full_page=True)
    form.locator("button[type=submit]").click()
    wait_for(journey, "/n/alpha/me/$")
    assert_no_horizontal_overflow(journey)
    journey.shot("5-intent-saved")

    me = verified.memberships["alumnus1"]
    with scope(network=verified.network):
        profile = Profile.objects.get(membership=me)
        assert profile.headline == "経理とデータ分析をしています"
        assert profile.organisation == "株式会社ひかり"
        skills = sorted(tag.skill.name for tag in profile.skills.select_related("skill"))
        assert skills == ["Python", "データ分析", "経理"]
        assert profile.visibility_of(FieldGroup.WORK) == Visibility.STAFF.value
        intent = Intent.objects.get(profile=profile)
        assert intent.return_modes == [ReturnMode.SIDE_JOB.value]
        assert (intent.open_to_meet, intent.not_now) == (True, False)

    # The directory: not listed yet, so the banner offers it; then a search in Japanese.
    page.locator('nav.tabs a[href="/n/alpha/directory/"]').click()
    wait_for(journey, "/n/alpha/directory/$")
    page.locator('main form[action="/n/alpha/privacy/consents/directory_listing/"] button[type=submit]').click()
    wait_for(journey, "/n/alpha/directory/$")
    with scope(network=verified.network):
        assert has_consent(me, ConsentPurpose.DIRECTORY_LISTING)
    assert_no_horizontal_overflow(journey)
    journey.shot("6-directory")

    search = page.locator("main form.directory-search")
    search.locator("input[name=q]").fill("営業")
    search.locator(".directory-search-main button[type=submit]").click()
    wait_for(journey, r"/n/alpha/directory/\?.*q=%E5%96%B6%E6%A5%AD")
    cards = page.locator("li.person-card")
    assert cards.count() == 1
    assert "鈴木" in cards.first.locator(".person-name").inner_text()
    assert "法人営業のマネージャー" in cards.first.inner_text()
    assert_no_horizontal_overflow(journey)
    journey.shot("7-search-results")

    # Her profile: what she shares with alumni, and not her 近況 (only for herself).
    cards.first.locator(f'a[href="/n/alpha/people/{colleague.pk}/"]').click()
    wait_for(journey, rf"/n/alpha/people/{colleague.pk}/$")
    main = page.locator("main")
    assert "鈴木" in main.locator("h1").inner_text()
    text = main.inner_text()
    assert "株式会社みらい" in text
    assert "営業部長" in text
    assert "交渉" in text
    assert SECRET_NOW not in text
    assert_no_horizontal_overflow(journey)
    journey.shot("8-colleague-profile", full_page=True)
    journey.assert_no_page_problems()


def test_hr_searches_the_console_directory(verified: PersonaNetwork, journey: Journey) -> None:
    page = journey.page
    list_saleswoman(verified)
    journey.go("/accounts/login/?next=/n/alpha/manage/directory/")
    log_in(journey, "hr@a.example", totp=True)
    assert journey.path() == "/n/alpha/manage/directory/"
    assert_no_horizontal_overflow(journey)
    journey.shot("1-console-directory")

    search = page.locator("main form.directory-search")
    search.locator("input[name=q]").fill("すずき")
    search.locator(".directory-search-main button[type=submit]").click()
    wait_for(journey, r"/n/alpha/manage/directory/\?.*q=")
    cards = page.locator("li.person-card")
    assert cards.count() == 1
    assert "鈴木" in cards.first.locator(".person-name").inner_text()
    assert cards.first.locator("dl.person-staff").is_visible()
    assert_no_horizontal_overflow(journey)
    journey.shot("2-console-search", full_page=True)
    journey.assert_no_page_problems()
