"""Notifications on a phone (390 x 844): the bell, the list, opening one, the settings page and the
one-click unsubscribe page (fixtures in browser_fixtures.py)."""

from __future__ import annotations

import re

import pytest
from django_scopes import scope

from browser_fixtures import Journey, assert_no_horizontal_overflow, log_in
from conftest import PersonaNetwork
from enishi.notifications import services
from enishi.notifications.topics import Delivery, Topic

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_alumnus_opens_a_notification_and_changes_settings(verified: PersonaNetwork, journey: Journey) -> None:
    page = journey.page
    member = verified.memberships["alumnus1"]
    with scope(network=verified.network):
        text = "テラス席、気持ちいいですよ。交流会もあそこでやるそうです。"
        services.notify(member, topic=Topic.REPLIES, kind="comment", url="/n/alpha/notifications/settings/",
                        actor=verified.memberships["alumnus2"], text=text)  # fmt: skip
        services.notify(member, topic=Topic.NEWS, kind="news", url="/n/alpha/notifications/",
                        params={"title": "カムバック採用の制度を改定しました"})  # fmt: skip
        unsubscribe = services.unsubscribe_url(member, Topic.MESSAGES).split("/n/", 1)[1]
    journey.go("/accounts/login/?next=/n/alpha/notifications/")
    log_in(journey, "alumnus1@a.example")
    assert journey.path() == "/n/alpha/notifications/"
    assert page.locator(".bell-count").inner_text() == "2"
    assert_no_horizontal_overflow(journey)
    journey.shot("1-notifications")

    page.locator("a.notification").first.click()  # the newest: the news, pointing at this list
    page.wait_for_url(re.compile(r".*/n/alpha/notifications/$"))
    assert page.locator(".bell-count").inner_text() == "1"

    page.locator('main a[href="/n/alpha/notifications/settings/"]').first.click()
    page.wait_for_url(re.compile(r".*/n/alpha/notifications/settings/$"))
    assert_no_horizontal_overflow(journey)
    journey.shot("2-settings", full_page=True)
    page.locator(f"input[name=topic_news][value={Delivery.EMAIL.value}]").check()
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r".*/n/alpha/notifications/settings/$"))
    with scope(network=verified.network):
        assert services.delivery_for(member, Topic.NEWS) == Delivery.EMAIL

    # The unsubscribe link of an email, opened on the phone: a page and one button.
    journey.go("/n/" + unsubscribe)
    assert_no_horizontal_overflow(journey)
    journey.shot("3-unsubscribe")
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    journey.shot("4-unsubscribed")
    with scope(network=verified.network):
        assert services.delivery_for(member, Topic.MESSAGES) == Delivery.APP
    journey.assert_no_page_problems()
