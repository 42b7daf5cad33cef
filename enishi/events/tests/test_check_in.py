"""Check-in at the door: scanning tickets (twice is harmless, another event's ticket is unknown), the
page a phone's camera app opens, the name search, arrivals and their undoing, walk-ins, the live count."""

from __future__ import annotations

import io
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django_scopes import scopes_disabled

from browser_fixtures import CHROMIUM, CHROMIUM_ARGS, PHONE, TIMEOUT_MS, Journey, assert_no_horizontal_overflow, log_in
from conftest import PersonaNetwork
from enishi.events.manage_views import token_from
from enishi.events.models import Event, Rsvp
from enishi.privacy.models import AuditEntry
from enishi.profiles.tests.conftest import client_for

pytestmark = pytest.mark.django_db
TOKYO = ZoneInfo("Asia/Tokyo")


def make_event(net: PersonaNetwork, **fields: Any) -> Event:
    starts = timezone.now() - timedelta(minutes=30)
    values: dict[str, Any] = {
        "title": "アルムナイ交流会", "format": Event.Format.HYBRID, "venue_name": "本社 20階",
        "starts_at": starts, "ends_at": starts + timedelta(hours=2), "status": Event.Status.PUBLISHED, **fields,
    }  # fmt: skip
    with scopes_disabled():
        return Event.objects.create(network=net.network, **values)


def add_rsvp(net: PersonaNetwork, event: Event, persona: str | None = None, **fields: Any) -> Rsvp:
    with scopes_disabled():
        membership = net.memberships[persona] if persona else None
        return Rsvp.objects.create(network=net.network, event=event, membership=membership, **fields)


def url(net: PersonaNetwork, name: str, *args: Any) -> str:
    return reverse(f"manage:{name}", args=[net.network.slug, *args])


def ticket_url(event: Event, rsvp: Rsvp) -> str:
    """What the QR code of a ticket holds."""
    return settings.SITE_URL + reverse("manage:event_check_in_token", args=[event.network.slug, event.pk,
                                                                            rsvp.check_in_token])  # fmt: skip


def scan(client: Client, net: PersonaNetwork, event: Event, value: str) -> str:
    with translation.override("en"):
        response = client.post(url(net, "event_check_in_scan", event.pk), {"token": value}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    return response.content.decode()


def fresh(rsvp: Rsvp) -> Rsvp:
    with scopes_disabled():
        return Rsvp.objects.get(pk=rsvp.pk)


def test_a_scanned_ticket_checks_in_once_and_a_second_scan_is_harmless(net_a: PersonaNetwork) -> None:
    event = make_event(net_a)
    rsvp = add_rsvp(net_a, event, "alumnus1", plus_ones=1)
    client = client_for(net_a, "editor")

    first = scan(client, net_a, event, ticket_url(event, rsvp))
    arrived = fresh(rsvp)
    assert "scan-success" in first
    assert "Checked in" in first
    assert "佐藤\u3000一郎" in first
    assert (arrived.checked_in, arrived.checked_in_by) == (Rsvp.CheckIn.VENUE, net_a.editor)

    with scopes_disabled():
        Rsvp.objects.filter(pk=rsvp.pk).update(checked_in_at=datetime(2030, 12, 10, 9, 2, tzinfo=ZoneInfo("UTC")))
    second = scan(client, net_a, event, ticket_url(event, rsvp))
    assert "scan-warning" in second
    assert "Already checked in (18:02)" in second  # in the network's time zone
    again = fresh(rsvp)
    assert again.checked_in_at == datetime(2030, 12, 10, 9, 2, tzinfo=ZoneInfo("UTC"))
    assert again.checked_in_by == net_a.editor


def test_a_ticket_of_another_event_is_unknown(net_a: PersonaNetwork) -> None:
    event, other = make_event(net_a), make_event(net_a, title="別の会")
    theirs = add_rsvp(net_a, other, "alumnus1")
    client = client_for(net_a, "editor")

    page = scan(client, net_a, event, ticket_url(other, theirs))
    assert "Unknown code: not a ticket of this event" in page
    assert "scan-error" in page
    assert "佐藤" not in page
    assert scan(client, net_a, event, theirs.check_in_token).count("Unknown code") == 1
    assert fresh(theirs).checked_in == ""
    token_page = client.get(url(net_a, "event_check_in_token", event.pk, theirs.check_in_token))
    assert token_page.status_code == 404
    assert "佐藤" not in token_page.content.decode()


def test_a_waitlisted_ticket_is_not_checked_in(net_a: PersonaNetwork) -> None:
    event = make_event(net_a)
    rsvp = add_rsvp(net_a, event, "alumnus2", status=Rsvp.Status.WAITLISTED)

    page = scan(client_for(net_a, "editor"), net_a, event, rsvp.check_in_token)

    assert "Not confirmed: On the waitlist" in page
    assert "鈴木\u3000二葉" in page
    assert fresh(rsvp).checked_in == ""


def test_the_token_is_read_from_a_link_or_as_typed() -> None:
    assert token_from("https://x.example/n/a/manage/events/4/check-in/t/AbC-_12/") == "AbC-_12"
    assert token_from("  AbC-_12 ") == "AbC-_12"
    assert token_from("https://x.example/somewhere/else/") == ""


def test_the_ticket_page_of_a_phone_camera_changes_nothing_until_the_button(net_a: PersonaNetwork) -> None:
    event = make_event(net_a)
    rsvp = add_rsvp(net_a, event, "alumnus1")
    client = client_for(net_a, "editor")
    token_url = url(net_a, "event_check_in_token", event.pk, rsvp.check_in_token)

    with translation.override("en"):
        page = client.get(token_url).content.decode()
    assert "佐藤\u3000一郎" in page
    assert "Confirmed, not checked in yet." in page
    assert f'value="{rsvp.check_in_token}"' in page
    assert fresh(rsvp).checked_in == ""

    with translation.override("en"):
        done = client.post(url(net_a, "event_check_in_scan", event.pk), {"token": rsvp.check_in_token})
    assert "Checked in" in done.content.decode()
    assert fresh(rsvp).checked_in == Rsvp.CheckIn.VENUE
    assert "Already checked in" in client.get(token_url).content.decode()


def test_arrived_online_and_undo(net_a: PersonaNetwork) -> None:
    event = make_event(net_a)
    rsvp = add_rsvp(net_a, event, "alumnus1")
    client = client_for(net_a, "editor")

    row = client.post(url(net_a, "event_check_in_action", event.pk, rsvp.pk, "online"), HTTP_HX_REQUEST="true")
    assert row["HX-Trigger"] == "checkin-changed"
    assert f'id="rsvp-{rsvp.pk}"' in row.content.decode()
    assert fresh(rsvp).checked_in == Rsvp.CheckIn.ONLINE

    client.post(url(net_a, "event_check_in_action", event.pk, rsvp.pk, "undo"))
    assert (fresh(rsvp).checked_in, fresh(rsvp).checked_in_at) == ("", None)

    response = client.post(url(net_a, "event_check_in_action", event.pk, rsvp.pk, "arrive"), {"q": "佐藤"})
    assert response["Location"] == url(net_a, "event_check_in", event.pk) + "?q=%E4%BD%90%E8%97%A4"
    assert fresh(rsvp).checked_in == Rsvp.CheckIn.VENUE
    assert client.post(url(net_a, "event_check_in_action", event.pk, rsvp.pk, "dance")).status_code == 404
    assert client.get(url(net_a, "event_check_in_action", event.pk, rsvp.pk, "undo")).status_code == 405
    assert fresh(rsvp).checked_in == Rsvp.CheckIn.VENUE


@pytest.mark.parametrize("query", ["佐藤", "佐藤一郎", "佐藤 一郎", "さとう", "サトウイチロウ", "ｻﾄｳ", "alumnus1@"])
def test_the_search_finds_a_name_in_kanji_or_kana(net_a: PersonaNetwork, query: str) -> None:
    event = make_event(net_a)
    add_rsvp(net_a, event, "alumnus1")
    add_rsvp(net_a, event, "alumnus2")
    client = client_for(net_a, "editor")

    page = client.get(url(net_a, "event_check_in", event.pk), {"q": query}, HTTP_HX_REQUEST="true",
                      HTTP_HX_TARGET="check-in-people").content.decode()  # fmt: skip

    assert "<html" not in page  # the fragment only
    assert "佐藤\u3000一郎" in page
    assert "鈴木" not in page


def test_without_a_search_everyone_confirmed_is_listed(net_a: PersonaNetwork) -> None:
    event = make_event(net_a)
    add_rsvp(net_a, event, "alumnus1")
    add_rsvp(net_a, event, "alumnus2", status=Rsvp.Status.WAITLISTED)
    page = client_for(net_a, "editor").get(url(net_a, "event_check_in", event.pk)).content.decode()
    assert page.count('class="person"') == 1
    assert "佐藤\u3000一郎" in page


def test_a_member_without_a_seat_walks_in(net_a: PersonaNetwork) -> None:
    event = make_event(net_a)
    waiting = add_rsvp(net_a, event, "alumnus2", status=Rsvp.Status.WAITLISTED)
    client = client_for(net_a, "editor")

    search = client.get(url(net_a, "event_check_in", event.pk), {"q": "支援"}).content.decode()
    assert "支援\u3000美咲" in search  # a member not registered, offered as a walk-in
    assert f'name="membership" value="{net_a.memberships["supporter"].pk}"' in search

    client.post(url(net_a, "event_walk_in", event.pk), {"membership": net_a.memberships["supporter"].pk})
    client.post(url(net_a, "event_walk_in", event.pk), {"membership": net_a.memberships["alumnus2"].pk})

    with scopes_disabled():
        walked = Rsvp.objects.get(event=event, membership=net_a.memberships["supporter"])
        assert AuditEntry.objects.filter(action="event.walk_in").count() == 2
    assert (walked.status, walked.checked_in, walked.walk_in) == (Rsvp.Status.CONFIRMED, Rsvp.CheckIn.VENUE, True)
    promoted = fresh(waiting)
    assert (promoted.status, promoted.checked_in) == (Rsvp.Status.CONFIRMED, Rsvp.CheckIn.VENUE)


def test_a_guest_walks_in_by_name_and_a_nameless_one_is_refused(net_a: PersonaNetwork, net_b: PersonaNetwork) -> None:
    event = make_event(net_a)
    client = client_for(net_a, "editor")

    with translation.override("en"):
        refused = client.post(url(net_a, "event_walk_in", event.pk), {"guest_name": "  "}, follow=True)
    assert "Write the guest&#x27;s name." in refused.content.decode()
    other = client.post(url(net_a, "event_walk_in", event.pk), {"membership": net_b.memberships["alumnus1"].pk})
    assert other.status_code == 404
    with scopes_disabled():
        assert not Rsvp.objects.exists()

    client.post(url(net_a, "event_walk_in", event.pk), {"guest_name": "山田 太郎（取引先）"})
    with scopes_disabled():
        guest = Rsvp.objects.get(event=event)
    assert (guest.membership, guest.guest_name, guest.checked_in) == (None, "山田 太郎（取引先）", Rsvp.CheckIn.VENUE)


def test_the_live_count_counts_arrivals_and_confirmed_with_plus_ones(net_a: PersonaNetwork) -> None:
    event = make_event(net_a)
    add_rsvp(net_a, event, "alumnus1", plus_ones=1, checked_in=Rsvp.CheckIn.VENUE)
    add_rsvp(net_a, event, "alumnus2")
    add_rsvp(net_a, event, "supporter", status=Rsvp.Status.WAITLISTED)

    page = client_for(net_a, "editor").get(url(net_a, "event_check_in_count", event.pk)).content.decode()

    assert "<span data-arrived>2</span> / <span data-confirmed>3</span>" in page
    assert 'hx-trigger="every 5s, checkin-changed from:body"' in page


def test_the_page_loads_the_scanner_and_the_vendored_decoder(net_a: PersonaNetwork) -> None:
    event = make_event(net_a)
    page = client_for(net_a, "editor").get(url(net_a, "event_check_in", event.pk)).content.decode()
    assert "/static/enishi/checkin.js" in page
    assert 'data-jsqr="/static/enishi/vendor/jsQR.js"' in page
    assert "<script>" not in page  # no inline scripts (CSP)
    decoder = finders.find("enishi/vendor/jsQR.js")
    assert decoder is not None
    with open(decoder, encoding="utf-8") as file:
        assert "Apache License, Version 2.0" in file.read(400)


# --- In a browser, on a phone ----------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_staff_check_in_on_a_phone_marks_an_arrival(verified: PersonaNetwork, journey: Journey) -> None:
    from playwright.sync_api import expect

    page = journey.page
    event = make_event(verified, capacity=40)
    arriving = add_rsvp(verified, event, "alumnus1", plus_ones=1)
    add_rsvp(verified, event, "alumnus2")
    journey.go(f"/accounts/login/?next=/n/alpha/manage/events/{event.pk}/check-in/")
    log_in(journey, "editor@a.example", totp=True)
    assert journey.path() == f"/n/alpha/manage/events/{event.pk}/check-in/"
    count = page.locator("#check-in-count")
    assert count.locator("[data-arrived]").inner_text() == "0"
    assert count.locator("[data-confirmed]").inner_text() == "3"
    assert page.locator("[data-scan-start]").is_visible()  # the camera button, shown by checkin.js
    assert_no_horizontal_overflow(journey)
    journey.shot("1-desk")

    page.locator("#check-in-q").fill("さとう")
    person = page.locator(f"#rsvp-{arriving.pk}")
    expect(page.locator("#check-in-people .person")).to_have_count(1)  # htmx swapped the results in
    person.locator("form[action$='/arrive/'] button").click()
    person.locator(".badge-active").wait_for()
    count.locator("[data-arrived]", has_text="2").wait_for()  # the count follows at once (plus-one included)
    assert fresh(arriving).checked_in == Rsvp.CheckIn.VENUE
    assert_no_horizontal_overflow(journey)
    journey.shot("2-arrived")

    page.locator("#scan-token").fill(ticket_url(event, arriving))
    page.locator("#scan-form button[type=submit]").click()
    page.locator("#scan-result .scan-warning").wait_for()  # scanned again: already checked in
    assert "佐藤" in page.locator("#scan-result").inner_text()
    journey.shot("3-again")
    for path in ("", f"{event.pk}/", f"{event.pk}/attendees/", f"{event.pk}/photos/", "new/"):
        journey.go(f"/n/alpha/manage/events/{path}")
        assert_no_horizontal_overflow(journey)
        journey.shot("4-" + (path.replace("/", "-") or "list"), full_page=True)
    journey.assert_no_page_problems()


def qr_video(path: Path, text: str) -> Path:
    """A short Y4M clip showing the QR code of `text`: Chromium's fake camera plays it in a loop."""
    import segno
    from PIL import Image

    buffer = io.BytesIO()
    segno.make(text, error="m").save(buffer, kind="png", scale=6, border=4)
    code = Image.open(io.BytesIO(buffer.getvalue())).convert("L")
    frame = Image.new("L", (640, 480), 255)
    frame.paste(code, ((640 - code.width) // 2, (480 - code.height) // 2))
    chroma = bytes([128]) * (320 * 240)
    with path.open("wb") as clip:
        clip.write(b"YUV4MPEG2 W640 H480 F10:1 Ip A1:1 C420jpeg\n")
        for _ in range(10):
            clip.write(b"FRAME\n" + frame.tobytes() + chroma + chroma)
    return path


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_camera_scanner_checks_a_ticket_in(
    verified: PersonaNetwork, browser: Any, live_server: Any, tmp_path: Path
) -> None:
    """The real scanner: Chromium's fake camera shows a ticket's QR code; checkin.js decodes it (jsQR,
    as headless Chromium on Linux has no BarcodeDetector) and the desk says who came."""
    event = make_event(verified)
    rsvp = add_rsvp(verified, event, "alumnus1")
    path = reverse("manage:event_check_in_token", args=["alpha", event.pk, rsvp.check_in_token])
    clip = qr_video(tmp_path / "ticket.y4m", live_server.url + path)
    args = [*CHROMIUM_ARGS, "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
            f"--use-file-for-fake-video-capture={clip}"]  # fmt: skip
    # A browser of its own (the shared one has no fake camera), started by the same Playwright.
    camera_browser = browser.browser_type.launch(executable_path=str(CHROMIUM), args=args, headless=True)
    try:
        context = camera_browser.new_context(**PHONE)
        context.grant_permissions(["camera"], origin=live_server.url)
        context.set_default_timeout(TIMEOUT_MS)
        page = context.new_page()
        problems: list[str] = []
        page.on("pageerror", lambda error: problems.append(str(error)))
        desk = Journey(page=page, base_url=live_server.url, name="camera_scanner")
        desk.go(f"/accounts/login/?next=/n/alpha/manage/events/{event.pk}/check-in/")
        log_in(desk, "editor@a.example", totp=True)
        page.locator("[data-scan-start]").click()
        page.locator("video:not([hidden])").wait_for()
        page.locator("#scan-result .scan-success").wait_for()
        assert "佐藤" in page.locator("#scan-result").inner_text()
        desk.shot("scanned")
    finally:
        camera_browser.close()
    assert problems == []
    assert fresh(rsvp).checked_in == Rsvp.CheckIn.VENUE
