"""The alumni side of events: the list, one event, RSVP (one tap or the form), the waitlist and its
promotion, plus-ones, the check-in code, the attendee lists, and the online link's secrecy."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django_scopes import scope, scopes_disabled

from conftest import PersonaNetwork
from enishi.accounts.models import User
from enishi.events import services
from enishi.events.models import Event, Rsvp
from enishi.events.tests.alumni_helpers import (
    ONLINE_URL,
    TOKYO,
    add_question,
    answer_of,
    make_event,
    notices,
    register,
    text_of,
    url,
)
from enishi.lib.qr import qr_svg
from enishi.messaging.services import block
from enishi.networks.models import Company, Membership
from enishi.networks.roles import MembershipState, Role
from enishi.profiles.tests.conftest import client_for

pytestmark = pytest.mark.django_db


def page(net: PersonaNetwork, persona: str, name: str, *args: object, query: str = "") -> str:
    response = client_for(net, persona).get(url(name, net, *args) + query)
    assert response.status_code == 200, response.content.decode()[:2000]
    return response.content.decode()


# --- The list ------------------------------------------------------------------------------------


def test_it_lists_upcoming_events_by_default_and_past_ones_on_request(net_a: PersonaNetwork) -> None:
    make_event(net_a, title="来週の交流会")
    past_start = timezone.now() - timedelta(days=30)
    make_event(net_a, title="先月の勉強会", starts_at=past_start, ends_at=past_start + timedelta(hours=2))
    make_event(net_a, title="下書きのイベント", status=Event.Status.DRAFT)

    upcoming = page(net_a, "alumnus1", "events")
    past = page(net_a, "alumnus1", "events", query="?when=past")

    assert "来週の交流会" in upcoming
    assert "先月の勉強会" not in upcoming
    assert "先月の勉強会" in past
    assert "来週の交流会" not in past
    assert "下書きのイベント" not in upcoming + past


def test_it_shows_the_day_and_hours_in_the_network_time_zone(net_a: PersonaNetwork) -> None:
    event = make_event(net_a)  # 19:00–21:00 in Tokyo
    starts = event.starts_at.astimezone(TOKYO)
    with translation.override("en"):
        tokyo = page(net_a, "alumnus1", "events")
    with scopes_disabled():
        type(net_a.network).objects.filter(pk=net_a.network.pk).update(time_zone="Europe/London")
    with translation.override("en"):
        london = page(net_a, "alumnus1", "events")

    assert f"{starts:%a} {starts.day} {starts:%b} 19:00–21:00" in tokyo
    assert "本社 20階 カフェテリア" in tokyo
    london_start = event.starts_at.astimezone(ZoneInfo("Europe/London"))
    assert f"{london_start:%H:%M}–{london_start + timedelta(hours=2):%H:%M}" in london
    assert "19:00–21:00" not in london


def test_the_japanese_format_reads_month_day_and_weekday(monkeypatch: pytest.MonkeyPatch) -> None:
    """The catalogue translates the format strings "D j M" and "D j M Y" to these."""
    from enishi.events.templatetags import event_tags

    formats = {"D j M": "n月j日(D)", "D j M Y": "Y年n月j日(D)"}
    monkeypatch.setattr(event_tags, "_", lambda text: formats.get(text, text))
    event = Event(
        starts_at=datetime(2026, 12, 10, 10, 0, tzinfo=UTC), ends_at=datetime(2026, 12, 10, 12, 0, tzinfo=UTC)
    )
    other_year = Event(
        starts_at=datetime(2027, 1, 5, 10, 0, tzinfo=UTC), ends_at=datetime(2027, 1, 6, 1, 0, tzinfo=UTC)
    )
    with translation.override("ja"), timezone.override(TOKYO):
        monkeypatch.setattr(event_tags.timezone, "localtime", _fixed_localtime)
        assert event_tags.event_when(event) == "12月10日(木) 19:00–21:00"
        assert event_tags.event_when(other_year) == "2027年1月5日(火) 19:00 – 2027年1月6日(水) 10:00"


def _fixed_localtime(value: datetime | None = None, timezone: object = None) -> datetime:
    """Today is 4 December 2026 in Tokyo, whatever the machine's clock says."""
    return (value or datetime(2026, 12, 4, 3, 0, tzinfo=UTC)).astimezone(TOKYO)


def test_it_shows_seats_full_cancelled_and_my_status(net_a: PersonaNetwork) -> None:
    open_event = make_event(net_a, title="席のあるイベント", capacity=10)
    full = make_event(net_a, title="満席のイベント", capacity=1)
    cancelled = make_event(net_a, title="中止のイベント", status=Event.Status.CANCELLED)
    register(net_a, open_event, "alumnus1")
    register(net_a, full, "alumnus2")
    register(net_a, full, "alumnus1")
    register(net_a, full, "supporter")

    with translation.override("en"):
        html = page(net_a, "supporter", "events")

    assert "9 seats left" in html
    assert "Full: waitlist open" in html
    assert "Waitlist: number 2" in html  # alumnus1 waits before the supporter
    assert f'<s><a href="{url("event_detail", net_a, cancelled.pk)}">中止のイベント</a></s>' in html
    assert "Cancelled</span>" in html
    mine = page(net_a, "alumnus1", "events")
    assert mine.count("You are going") == 1
    assert "Waitlist: number 1" in mine


def test_it_filters_by_format_company_and_month(net_a: PersonaNetwork) -> None:
    with scopes_disabled():
        other = Company.objects.create(network=net_a.network, name_ja="ベータ商事")
    online = make_event(net_a, title="オンライン説明会", format=Event.Format.ONLINE, venue_name="")
    hosted = make_event(net_a, title="ベータ商事の会", host_company=other)
    later_start = timezone.now() + timedelta(days=70)
    later = make_event(net_a, title="ずっと先の会", starts_at=later_start, ends_at=later_start + timedelta(hours=1))
    month = timezone.localtime(later.starts_at).strftime("%Y-%m")

    by_format = page(net_a, "alumnus1", "events", query="?format=online")
    by_company = page(net_a, "alumnus1", "events", query=f"?company={other.pk}")
    by_month = page(net_a, "alumnus1", "events", query=f"?month={month}")

    assert (online.title in by_format, hosted.title in by_format, later.title in by_format) == (True, False, False)
    assert (online.title in by_company, hosted.title in by_company, later.title in by_company) == (False, True, False)
    assert (online.title in by_month, hosted.title in by_month, later.title in by_month) == (False, False, True)


def test_it_offers_proposing_the_calendar_and_my_proposals(net_a: PersonaNetwork) -> None:
    make_event(net_a, title="私の提案", status=Event.Status.PROPOSED, host=net_a.memberships["alumnus1"])
    make_event(net_a, title="他の人の提案", status=Event.Status.PROPOSED, host=net_a.memberships["alumnus2"])
    html = page(net_a, "alumnus1", "events")
    mine = page(net_a, "alumnus1", "events", query="?when=mine")

    assert url("event_propose", net_a) in html
    assert url("event_calendar", net_a) in html
    assert "?when=mine" in html
    assert "私の提案" in mine
    assert "他の人の提案" not in mine + html
    assert url("event_propose", net_a) not in page(net_a, "editor", "events")  # staff use the console


def add_events_with_answers(net: PersonaNetwork, count: int) -> None:
    with scopes_disabled():
        company = Company.objects.filter(network=net.network).first()
        starts = timezone.now() + timedelta(days=3)
        events = Event.objects.bulk_create(
            Event(
                network=net.network,
                title=f"イベント{i}",
                starts_at=starts + timedelta(hours=i),
                ends_at=starts + timedelta(hours=i + 1),
                status=Event.Status.PUBLISHED,
                capacity=1,
                host_company=company,
            )
            for i in range(count)
        )
        Rsvp.objects.bulk_create(
            Rsvp(network=net.network, event=event, membership=net.memberships[persona], status=status)
            for event in events
            for persona, status in (("alumnus2", Rsvp.Status.CONFIRMED), ("alumnus1", Rsvp.Status.WAITLISTED))
        )


def count_queries(net: PersonaNetwork, query: str) -> int:
    client = client_for(net, "alumnus1")
    assert client.get(url("events", net)).status_code == 200  # the first request of the day records activity
    with CaptureQueriesContext(connection) as context:
        response = client.get(url("events", net) + query)
    assert response.status_code == 200
    return len(context.captured_queries)


@pytest.mark.parametrize("query", ["", "?when=past", "?when=mine", "?format=offline&company=1&month=2026-12"])
def test_the_list_runs_the_same_queries_for_10_and_200_events(net_a: PersonaNetwork, query: str) -> None:
    add_events_with_answers(net_a, 10)
    few = count_queries(net_a, query)
    add_events_with_answers(net_a, 190)
    many = count_queries(net_a, query)

    assert few == many


# --- One event -----------------------------------------------------------------------------------


def test_the_page_shows_the_event_and_sanitises_its_description(net_a: PersonaNetwork) -> None:
    event = make_event(
        net_a,
        description='<p onclick="steal()">ようこそ</p><script>alert(1)</script>',
        staff_guests="人事部 山田",
        capacity=30,
        map_url="https://maps.example.com/x",
        registration_deadline=timezone.now() + timedelta(days=5),
        host_company=net_a.company,
    )
    html = page(net_a, "alumnus1", "event_detail", event.pk)

    assert "<p>ようこそ</p>" in html
    assert "alert(1)" not in html
    assert "steal()" not in html
    shown = ["本社 20階 カフェテリア", "東京都千代田区丸の内1-1-1", "https://maps.example.com/x", "人事部 山田"]
    shown += ["30 seats", "30 left", net_a.company.name, "Registration closes", url("event_ics", net_a, event.pk)]
    for text in shown:
        assert text in html, text


def test_another_networks_event_and_a_draft_are_404(net_a: PersonaNetwork, net_b: PersonaNetwork) -> None:
    theirs = make_event(net_b)
    draft = make_event(net_a, status=Event.Status.DRAFT)
    client = client_for(net_a, "alumnus1")
    for name in ("event_detail", "event_rsvp", "event_ticket", "event_attendees", "event_ics"):
        for event in (theirs, draft):
            assert client.get(url(name, net_a, event.pk)).status_code == 404, name
    for name in ("event_rsvp", "event_cancel_rsvp"):
        assert client.post(url(name, net_a, theirs.pk)).status_code == 404
    assert answer_of(net_b, theirs, "alumnus1") is None
    with scopes_disabled():
        assert not Rsvp.objects.exists()


def test_an_event_for_other_companies_is_hidden(net_a: PersonaNetwork) -> None:
    with scopes_disabled():
        other = Company.objects.create(network=net_a.network, name_ja="ベータ商事")
    event = make_event(net_a, title="ベータ商事OB会", audience=Event.Audience.COMPANIES)
    event.companies.add(other)

    assert "ベータ商事OB会" not in page(net_a, "alumnus1", "events")
    assert client_for(net_a, "alumnus1").get(url("event_detail", net_a, event.pk)).status_code == 404


# --- RSVP ----------------------------------------------------------------------------------------


def test_one_tap_confirms_then_the_next_person_waits(net_a: PersonaNetwork) -> None:
    event = make_event(net_a, capacity=1)
    first, second = client_for(net_a, "alumnus1"), client_for(net_a, "alumnus2")
    detail = first.get(url("event_detail", net_a, event.pk)).content.decode()
    assert f'action="{url("event_rsvp", net_a, event.pk)}"' in detail  # one button, no form page

    done = first.post(url("event_rsvp", net_a, event.pk), follow=True)
    waiting = second.post(url("event_rsvp", net_a, event.pk), {"share_with_attendees": "on"}, follow=True)

    assert "Your place is confirmed." in done.content.decode()
    assert "You are on the waitlist (number 1)." in waiting.content.decode()
    assert "You are number 1 on the waitlist." in waiting.content.decode()
    confirmed, waitlisted = answer_of(net_a, event, "alumnus1"), answer_of(net_a, event, "alumnus2")
    assert confirmed is not None
    assert waitlisted is not None
    assert (confirmed.status, confirmed.share_with_attendees) == (Rsvp.Status.CONFIRMED, False)
    assert (waitlisted.status, waitlisted.share_with_attendees) == (Rsvp.Status.WAITLISTED, True)


def test_cancelling_gives_the_seat_to_the_waitlist_and_tells_the_promoted(
    net_a: PersonaNetwork, django_capture_on_commit_callbacks: object
) -> None:
    event = make_event(net_a, capacity=1)
    register(net_a, event, "alumnus1")
    register(net_a, event, "alumnus2")

    response = client_for(net_a, "alumnus1").post(url("event_cancel_rsvp", net_a, event.pk), follow=True)

    assert "Your registration is cancelled." in response.content.decode()
    cancelled, promoted = answer_of(net_a, event, "alumnus1"), answer_of(net_a, event, "alumnus2")
    assert cancelled is not None
    assert promoted is not None
    assert (cancelled.status, promoted.status) == (Rsvp.Status.CANCELLED, Rsvp.Status.CONFIRMED)
    told = notices(net_a, "alumnus2", "event_promoted")
    assert [(n.url, n.reference) for n in told] == [(url("event_detail", net_a, event.pk), f"event:{event.pk}")]
    assert notices(net_a, "alumnus1", "event_promoted") == []
    # Opening the event marks the notice read.
    client_for(net_a, "alumnus2").get(url("event_detail", net_a, event.pk))
    with scopes_disabled():
        told[0].refresh_from_db()
    assert told[0].read_at is not None


def test_cancelling_twice_or_without_registering_changes_nothing(net_a: PersonaNetwork) -> None:
    event = make_event(net_a)
    response = client_for(net_a, "alumnus1").post(url("event_cancel_rsvp", net_a, event.pk), follow=True)
    assert "You were not registered for this event." in response.content.decode()
    assert answer_of(net_a, event, "alumnus1") is None
    assert client_for(net_a, "alumnus1").get(url("event_cancel_rsvp", net_a, event.pk)).status_code == 405


def test_the_form_asks_the_questions_and_enforces_the_required_ones(net_a: PersonaNetwork) -> None:
    event = make_event(net_a, max_plus_ones=2, capacity=10)
    diet = add_question(event, "食事の制限はありますか", required=True)
    topic = add_question(event, "参加の形", choices="会場\nオンライン")
    client = client_for(net_a, "alumnus1")

    form = client.get(url("event_rsvp", net_a, event.pk)).content.decode()
    assert "食事の制限はありますか" in form
    assert f'type="radio" name="question_{topic.pk}" value="オンライン"' in form
    assert 'name="plus_ones"' in form
    missing = client.post(url("event_rsvp", net_a, event.pk), {"plus_ones": "1", f"question_{topic.pk}": "会場"})

    assert missing.status_code == 200
    assert "This field is required." in missing.content.decode()
    assert answer_of(net_a, event, "alumnus1") is None

    client.post(
        url("event_rsvp", net_a, event.pk),
        {"plus_ones": "2", f"question_{diet.pk}": " そばアレルギー ", f"question_{topic.pk}": "会場"},
    )
    answer = answer_of(net_a, event, "alumnus1")
    assert answer is not None
    assert (answer.status, answer.plus_ones) == (Rsvp.Status.CONFIRMED, 2)
    assert answer.answers == {str(diet.pk): "そばアレルギー", str(topic.pk): "会場"}
    with scope(network=net_a.network):
        assert services.seats_taken(event) == 3


def test_a_choice_outside_the_list_is_refused(net_a: PersonaNetwork) -> None:
    event = make_event(net_a)
    topic = add_question(event, "参加の形", choices="会場\nオンライン")
    response = client_for(net_a, "alumnus1").post(url("event_rsvp", net_a, event.pk), {f"question_{topic.pk}": "火星"})
    assert "Select a valid choice." in response.content.decode()
    assert answer_of(net_a, event, "alumnus1") is None


def test_more_plus_ones_than_seats_is_refused_with_nothing_lost(net_a: PersonaNetwork) -> None:
    event = make_event(net_a, max_plus_ones=3, capacity=3)
    diet = add_question(event, "食事の制限")
    register(net_a, event, "alumnus2", plus_ones=1)
    register(net_a, event, "alumnus1")
    client = client_for(net_a, "alumnus1")

    response = client.post(url("event_rsvp", net_a, event.pk), {"plus_ones": "2", f"question_{diet.pk}": "なし"})

    html = response.content.decode()
    assert response.status_code == 200
    assert "There are not enough seats left for more plus-ones." in html
    assert "なし</textarea>" in html
    assert '<option value="2" selected>' in html
    answer = answer_of(net_a, event, "alumnus1")
    assert answer is not None
    assert (answer.plus_ones, answer.answers) == (0, {})


def test_a_party_that_does_not_fit_waits_and_capacity_holds(net_a: PersonaNetwork) -> None:
    event = make_event(net_a, max_plus_ones=2, capacity=3)
    register(net_a, event, "alumnus1", plus_ones=1)
    big = client_for(net_a, "alumnus2").post(url("event_rsvp", net_a, event.pk), {"plus_ones": "2"}, follow=True)
    single = client_for(net_a, "supporter").post(url("event_rsvp", net_a, event.pk), {"plus_ones": "0"}, follow=True)

    assert "You are on the waitlist (number 1)." in big.content.decode()
    assert "Your place is confirmed." in single.content.decode()
    with scope(network=net_a.network):
        assert services.seats_taken(event) == 3


def test_registration_closed_is_refused(net_a: PersonaNetwork) -> None:
    event = make_event(net_a, registration_deadline=timezone.now() - timedelta(hours=1))
    html = page(net_a, "alumnus1", "event_detail", event.pk)
    assert "Registration for this event is closed." in html
    response = client_for(net_a, "alumnus1").post(url("event_rsvp", net_a, event.pk))
    assert "Registration for this event is closed." in response.content.decode()
    assert answer_of(net_a, event, "alumnus1") is None


def test_staff_may_attend_only_when_the_event_lets_them(net_a: PersonaNetwork) -> None:
    open_to_staff = make_event(net_a)
    closed = make_event(net_a, staff_may_attend=False)
    client = client_for(net_a, "hr")
    client.post(url("event_rsvp", net_a, open_to_staff.pk))
    refused = client.post(url("event_rsvp", net_a, closed.pk))

    assert answer_of(net_a, open_to_staff, "hr") is not None
    assert "This event is not open to you." in refused.content.decode()
    assert answer_of(net_a, closed, "hr") is None


# --- The online link -----------------------------------------------------------------------------


def pages_of(net: PersonaNetwork, persona: str, event: Event) -> str:
    """Every alumni page that shows the event, as this person sees it (the .ics unfolded)."""
    client = client_for(net, persona)
    shown = []
    for name, args in (("events", ()), ("event_detail", (event.pk,)), ("event_rsvp", (event.pk,)),
                       ("event_ticket", (event.pk,)), ("event_attendees", (event.pk,)), ("event_ics", (event.pk,)),
                       ("home", ())):  # fmt: skip
        shown.append(text_of(client.get(url(name, net, *args))))
    shown.append(text_of(client.get(url("events", net) + "?when=past")))
    with scope(network=net.network):
        from enishi.events import calendar

        feed = calendar.feed_of(net.memberships[persona])
    shown.append(text_of(client.get(url("event_calendar_feed", net, feed.token))))
    return "\n".join(shown)


def test_the_online_link_reaches_only_confirmed_attendees(net_a: PersonaNetwork) -> None:
    event = make_event(net_a, format=Event.Format.HYBRID, online_url=ONLINE_URL, capacity=1)
    register(net_a, event, "alumnus1")  # confirmed
    register(net_a, event, "alumnus2")  # waitlisted
    register(net_a, event, "supporter")  # waitlisted, then cancels
    with scope(network=net_a.network):
        services.cancel_rsvp(services.rsvp_of(event, net_a.memberships["supporter"]))  # type: ignore[arg-type]
    with scopes_disabled():
        other = Membership.objects.create(
            network=net_a.network,
            role=Role.ALUMNUS,
            state=MembershipState.ACTIVE,
            user=User.objects.create_user("other@a.example", "x", family_name="高橋", given_name="三郎"),
        )
    net_a.users["other"] = other.user
    net_a.memberships["other"] = other

    assert ONLINE_URL in pages_of(net_a, "alumnus1", event)
    for persona in ("alumnus2", "supporter", "other"):
        assert ONLINE_URL not in pages_of(net_a, persona, event), persona
    assert ONLINE_URL in page(net_a, "editor", "event_detail", event.pk)  # staff see it

    # A confirmed person who cancels no longer sees it.
    client_for(net_a, "alumnus1").post(url("event_cancel_rsvp", net_a, event.pk))
    assert ONLINE_URL not in pages_of(net_a, "alumnus1", event)
    assert ONLINE_URL in pages_of(net_a, "alumnus2", event)  # promoted


def test_a_cancelled_event_shows_its_link_to_nobody_among_alumni(net_a: PersonaNetwork) -> None:
    event = make_event(net_a, format=Event.Format.ONLINE, online_url=ONLINE_URL)
    register(net_a, event, "alumnus1")
    with scopes_disabled():
        Event.objects.filter(pk=event.pk).update(status=Event.Status.CANCELLED)
    html = page(net_a, "alumnus1", "event_detail", event.pk)
    assert "This event is cancelled." in html
    assert ONLINE_URL not in pages_of(net_a, "alumnus1", event)


# --- Ticket and attendees ------------------------------------------------------------------------


def test_the_ticket_carries_the_check_in_address_for_a_confirmed_seat_only(net_a: PersonaNetwork) -> None:
    event = make_event(net_a, capacity=1)
    answer = register(net_a, event, "alumnus1")
    register(net_a, event, "alumnus2")

    response = client_for(net_a, "alumnus1").get(url("event_ticket", net_a, event.pk))
    waiting = client_for(net_a, "alumnus2").get(url("event_ticket", net_a, event.pk))

    html = response.content.decode()
    assert response.status_code == 200
    address = settings.SITE_URL + reverse(
        "manage:event_check_in_token", args=["alpha", event.pk, answer.check_in_token]
    )
    assert str(qr_svg(address, title="Check-in code")) in html  # the QR code draws exactly this address
    assert "佐藤　一郎" in html
    assert waiting.status_code == 404
    assert "You have no confirmed seat for this event" in waiting.content.decode()


def test_attendees_see_each_other_only_when_both_agree(net_a: PersonaNetwork) -> None:
    event = make_event(net_a)
    register(net_a, event, "alumnus1", share_with_attendees=True)
    register(net_a, event, "alumnus2", share_with_attendees=False)
    register(net_a, event, "supporter", share_with_attendees=True)

    listed = page(net_a, "alumnus1", "event_attendees", event.pk)

    assert "支援　美咲" in listed
    assert "佐藤　一郎" in listed
    assert "鈴木　二葉" not in listed
    assert client_for(net_a, "alumnus2").get(url("event_attendees", net_a, event.pk)).status_code == 404
    assert client_for(net_a, "hr").get(url("event_attendees", net_a, event.pk)).status_code == 200
    with scope(network=net_a.network):
        block(net_a.memberships["supporter"], net_a.memberships["alumnus1"])
    assert "支援　美咲" not in page(net_a, "alumnus1", "event_attendees", event.pk)
    with scopes_disabled():
        Event.objects.filter(pk=event.pk).update(attendees_visible=False)
    assert client_for(net_a, "alumnus1").get(url("event_attendees", net_a, event.pk)).status_code == 404


def test_the_host_sees_their_attendees_and_answers(net_a: PersonaNetwork) -> None:
    event = make_event(net_a, host=net_a.memberships["supporter"], capacity=1)
    diet = add_question(event, "食事の制限")
    register(net_a, event, "alumnus1", answers={str(diet.pk): "ベジタリアン"})
    register(net_a, event, "alumnus2")

    html = page(net_a, "supporter", "event_hosted_attendees", event.pk)

    assert "佐藤　一郎" in html
    assert "鈴木　二葉" in html
    assert html.index("佐藤　一郎") < html.index("鈴木　二葉")  # confirmed first
    assert "ベジタリアン" in html
    for persona in ("alumnus1", "editor"):
        assert client_for(net_a, persona).get(url("event_hosted_attendees", net_a, event.pk)).status_code == 404


# --- The past and the home page ------------------------------------------------------------------


def test_a_past_event_shows_the_thank_you_and_survey_to_those_who_came(net_a: PersonaNetwork) -> None:
    event = make_event(
        net_a, thank_you_text="ご参加ありがとうございました。", survey_url="https://survey.example.com/1"
    )
    register(net_a, event, "alumnus1")
    started = timezone.now() - timedelta(days=2)
    with scopes_disabled():
        Event.objects.filter(pk=event.pk).update(starts_at=started, ends_at=started + timedelta(hours=2))

    came = page(net_a, "alumnus1", "event_detail", event.pk)
    other = page(net_a, "alumnus2", "event_detail", event.pk)

    assert "ご参加ありがとうございました。" in came
    assert "https://survey.example.com/1" in came
    assert "https://survey.example.com/1" not in other
    assert url("event_cancel_rsvp", net_a, event.pk) not in came
    assert "Past event" in came


def test_home_shows_the_next_events_with_my_status(net_a: PersonaNetwork, net_b: PersonaNetwork) -> None:
    event = make_event(net_a, title="次の交流会")
    register(net_a, event, "alumnus1")
    with translation.override("en"):
        html = page(net_a, "alumnus1", "home")
        elsewhere = page(net_b, "alumnus1", "home")

    assert "次の交流会" in html
    assert url("event_detail", net_a, event.pk) in html
    assert "You are going" in html
    assert "次の交流会" not in elsewhere
    assert "No upcoming events." in elsewhere
