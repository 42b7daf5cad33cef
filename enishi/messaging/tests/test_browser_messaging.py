"""Messages on a phone (390 x 844): an alumnus writes to a colleague from her profile, sees the reply
through the Messages tab's unread count, and asks the secretariat a question that staff answer
(fixtures in browser_fixtures.py)."""

from __future__ import annotations

import re

import pytest
from django_scopes import scope, scopes_disabled

from browser_fixtures import Journey, assert_no_horizontal_overflow, log_in
from conftest import PersonaNetwork
from enishi.messaging import services
from enishi.messaging.models import Conversation, SecretariatThread
from enishi.messaging.tests.conftest import allow_messages

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def wait_for(journey: Journey, path_pattern: str) -> None:
    journey.page.wait_for_url(re.compile("^" + re.escape(journey.base_url) + path_pattern))


def test_alumnus_writes_to_a_colleague_and_to_the_secretariat(verified: PersonaNetwork, journey: Journey) -> None:
    page = journey.page
    allow_messages(verified, "alumnus2")
    colleague = verified.memberships["alumnus2"]
    journey.go("/accounts/login/?next=/n/alpha/")
    log_in(journey, "alumnus1@a.example")
    tab = page.locator('nav.tabs a[href="/n/alpha/messages/"]')
    assert tab.locator(".tab-count").count() == 0

    # From the colleague's profile: "Send a message".
    journey.go(f"/n/alpha/people/{colleague.pk}/")
    page.locator(f'main a[href="/n/alpha/messages/to/{colleague.pk}/"]').click()
    wait_for(journey, rf"/n/alpha/messages/to/{colleague.pk}/$")
    page.locator("main textarea[name=text]").fill("鈴木さん、お久しぶりです。来月の交流会に参加されますか？")
    page.locator("main form button[type=submit]").click()
    wait_for(journey, r"/n/alpha/messages/\d+/")
    assert "来月の交流会に参加されますか" in page.locator("main").inner_text()
    assert_no_horizontal_overflow(journey)
    journey.shot("1-sent")

    # She answers: the tab counts it, the list marks it, opening reads it.
    with scope(network=verified.network), scopes_disabled():
        services.send_message(colleague, verified.memberships["alumnus1"], "参加します！会場で会いましょう。")
        talk = Conversation.objects.get()
    journey.go("/n/alpha/")
    assert tab.locator(".tab-count").inner_text().startswith("1")
    assert_no_horizontal_overflow(journey)
    tab.click()
    wait_for(journey, r"/n/alpha/messages/$")
    assert page.locator("main .conversation-unread").count() == 1
    journey.shot("2-inbox")
    page.locator("main .conversation-link").first.click()
    wait_for(journey, rf"/n/alpha/messages/{talk.pk}/$")
    assert "会場で会いましょう" in page.locator("main").inner_text()
    assert tab.locator(".tab-count").count() == 0
    assert page.locator("a.bell .bell-count").count() == 0  # the bell's notice of it is read too

    # A question to the secretariat, answered by HR as "the secretariat".
    journey.go("/n/alpha/messages/secretariat/new/")
    page.locator("main input[name=subject]").fill("退職証明書の発行")
    page.locator("main textarea[name=text]").fill("転職先に提出する退職証明書をお願いできますか。")
    page.locator("main form button[type=submit]").click()
    wait_for(journey, r"/n/alpha/messages/secretariat/\d+/$")
    with scope(network=verified.network), scopes_disabled():
        thread = SecretariatThread.objects.get()
        services.secretariat_reply(verified.memberships["hr"], thread, "承知しました。1週間ほどで郵送します。")
    journey.go("/n/alpha/messages/secretariat/")
    assert tab.locator(".tab-count").inner_text().startswith("1")
    page.locator("main .conversation-link").first.click()
    wait_for(journey, rf"/n/alpha/messages/secretariat/{thread.pk}/$")
    text = page.locator("main").inner_text()
    assert "1週間ほどで郵送します" in text
    assert "人事" not in text  # the staff member's name stays inside the secretariat
    assert_no_horizontal_overflow(journey)
    journey.shot("3-secretariat")
    journey.assert_no_page_problems()
