"""Events on a phone (390 x 844): register, wait on the waitlist, be promoted, show the check-in
code; every alumni event page fits the screen (fixtures in browser_fixtures.py)."""

from __future__ import annotations

import pytest
from django_scopes import scope

from browser_fixtures import Journey, assert_no_horizontal_overflow, log_in
from conftest import PersonaNetwork
from enishi.events import services
from enishi.events.models import Event, Rsvp
from enishi.events.tests.alumni_helpers import add_question, answer_of, make_event, register

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_waitlisted_then_promoted_then_the_code(verified: PersonaNetwork, journey: Journey) -> None:
    page = journey.page
    event = make_event(
        verified,
        title="丸の内アルムナイ交流会　年末スペシャル",
        capacity=1,
        staff_guests="人事部 山田、営業本部 鈴木",
        host_company=verified.company,
    )
    register(verified, event, "alumnus1")

    journey.go(f"/n/alpha/events/{event.pk}/")
    log_in(journey, verified.alumnus2.email)
    journey.go("/n/alpha/events/")
    assert page.locator("main .event-card .badge-warning").count() == 1  # 満席・キャンセル待ち
    assert_no_horizontal_overflow(journey)
    journey.shot("1-list")

    page.locator(f"main a[href='/n/alpha/events/{event.pk}/']").first.click()
    page.locator("main form[action$='/rsvp/'] button[type=submit]").click()  # one tap
    page.wait_for_selector("main .messages")
    assert page.locator("main .event-meta .badge-pending").count() == 1  # キャンセル待ち 1番目
    assert_no_horizontal_overflow(journey)
    journey.shot("2-waitlisted")
    answer = answer_of(verified, event, "alumnus2")
    assert answer is not None
    assert answer.status == Rsvp.Status.WAITLISTED

    with scope(network=verified.network):  # the confirmed person cannot come after all
        services.cancel_rsvp(services.rsvp_of(event, verified.memberships["alumnus1"]))  # type: ignore[arg-type]
    journey.go("/n/alpha/events/")
    assert page.locator(".bell-count").inner_text().strip() == "1"  # 「席が空きました」
    assert page.locator("main .event-card .badge-active").count() == 1  # 参加確定
    page.locator(f"main a[href='/n/alpha/events/{event.pk}/']").first.click()
    page.locator(f"main a[href='/n/alpha/events/{event.pk}/ticket/']").click()
    page.wait_for_selector("main svg.qr")
    assert "鈴木　二葉" in page.locator("main").inner_text()
    width = page.locator("main svg.qr").bounding_box()["width"]
    assert width >= 250  # big enough for a scanner at arm's length
    assert_no_horizontal_overflow(journey)
    journey.shot("3-ticket")
    journey.assert_no_page_problems()


def test_the_other_event_pages_fit_a_phone(verified: PersonaNetwork, journey: Journey) -> None:
    page = journey.page
    event = make_event(
        verified,
        max_plus_ones=2,
        description="<p>" + "とても長い説明文です。" * 40 + "</p>",
        venue_address="東京都千代田区丸の内一丁目一番一号 丸の内パークビルディング二十階",
    )
    add_question(event, "食事の制限はありますか", required=True)
    add_question(event, "参加の形", choices="会場\nオンライン")
    host_event = make_event(verified, title="主催するイベント", host=verified.memberships["supporter"])
    register(verified, host_event, "alumnus1")
    proposed = make_event(
        verified, title="提案中のイベント", host=verified.memberships["supporter"], status=Event.Status.PROPOSED
    )

    journey.go("/n/alpha/events/")
    log_in(journey, verified.supporter.email)
    paths = [f"/n/alpha/events/{event.pk}/", f"/n/alpha/events/{event.pk}/rsvp/", "/n/alpha/events/calendar/"]
    paths += ["/n/alpha/events/propose/", f"/n/alpha/events/proposals/{proposed.pk}/", "/n/alpha/"]
    paths += [f"/n/alpha/events/proposals/{host_event.pk}/attendees/", "/n/alpha/events/?when=mine"]
    for path in paths:
        journey.go(path)
        assert page.locator("main h1").count() >= 1, path
        assert_no_horizontal_overflow(journey)
    journey.go(f"/n/alpha/events/{event.pk}/rsvp/")
    page.locator("main textarea").first.fill("卵アレルギー")
    page.locator("main input[type=radio][value='会場']").check()
    page.locator("main select[name=plus_ones]").select_option("1")
    page.locator("main form button[type=submit]").click()
    page.wait_for_selector("main .messages")
    journey.shot("rsvp-done")
    answer = answer_of(verified, event, "supporter")
    assert answer is not None
    assert (answer.status, answer.plus_ones) == (Rsvp.Status.CONFIRMED, 1)
    journey.assert_no_page_problems()
