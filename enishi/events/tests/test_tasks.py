"""Reminders before an event, the thank-you after it, change and cancellation notices, the join link of
a published event and the attendance history."""

from __future__ import annotations

import base64
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone, translation
from django_scopes import scope, scopes_disabled

from conftest import PersonaNetwork
from enishi.events import emails, services, tasks
from enishi.events.models import Event, Rsvp
from enishi.intake.models import JoinChannel
from enishi.notifications.models import Notification, OutboundEmail
from enishi.notifications.services import set_preference
from enishi.notifications.tests import conftest as notification_fixtures
from enishi.notifications.tests.conftest import LoopbackSMTP
from enishi.notifications.topics import Delivery, Topic
from enishi.ops.management.commands import worker
from enishi.privacy.models import AuditEntry
from enishi.profiles.tests.conftest import client_for

pytestmark = pytest.mark.django_db

smtp_server = notification_fixtures.smtp_server  # the loopback SMTP server fixture

START = timedelta(hours=30)  # the event starts 30 hours after the test's "now"


def make_event(net: PersonaNetwork, now: datetime, **fields: Any) -> Event:
    values: dict[str, Any] = {
        "title": "アルムナイ交流会", "venue_name": "本社5階 食堂", "venue_address": "東京都千代田区丸の内1-1-1",
        "starts_at": now + START, "ends_at": now + START + timedelta(hours=2), "status": Event.Status.PUBLISHED,
        "reminders": [24, 1], "capacity": 10, **fields,
    }  # fmt: skip
    with scope(network=net.network):
        return Event.objects.create(network=net.network, **values)


def seat(net: PersonaNetwork, event: Event, persona: str, at: datetime, **fields: Any) -> Rsvp:
    """An RSVP as services.rsvp leaves it, confirmed at `at`."""
    values: dict[str, Any] = {"status": Rsvp.Status.CONFIRMED, "confirmed_at": at, "queued_at": at, **fields}
    with scope(network=net.network):
        return Rsvp.objects.create(network=net.network, event=event, membership=net.memberships[persona], **values)


def reminded(answer: Rsvp) -> list[int]:
    with scopes_disabled():
        answer.refresh_from_db()
    return list(answer.reminded)


def notices(net: PersonaNetwork, persona: str, kind: str) -> list[Notification]:
    with scopes_disabled():
        return list(Notification.objects.filter(recipient=net.memberships[persona], kind=kind))


def outbound(kind: str) -> list[OutboundEmail]:
    return list(OutboundEmail.objects.filter(kind=kind).order_by("pk"))


@pytest.fixture
def now() -> datetime:
    return timezone.now().replace(microsecond=0)


@pytest.fixture
def english(net_a: PersonaNetwork) -> None:
    """alumnus1 reads English (the templates are compared in English)."""
    net_a.alumnus1.language = "en"
    net_a.alumnus1.save(update_fields=["language"])


# --- Reminders -----------------------------------------------------------------------------------


def test_it_is_a_maintenance_job_of_the_worker() -> None:
    assert tasks.send_event_reminders in worker.MAINTENANCE_JOBS


def test_it_sends_each_reminder_once_when_its_moment_comes(
    net_a: PersonaNetwork, now: datetime, english: None, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    event = make_event(net_a, now)
    answer = seat(net_a, event, "alumnus1", now)
    assert tasks.send_event_reminders(now=now + timedelta(hours=5)) == 0  # 25 h before: not yet
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.send_event_reminders(now=now + timedelta(hours=6, minutes=1)) == 1
        assert tasks.send_event_reminders(now=now + timedelta(hours=7)) == 0
    assert reminded(answer) == [24]
    assert len(notices(net_a, "alumnus1", "event_reminder")) == 1
    [email] = outbound("event-reminder")
    assert email.to == "alumnus1@a.example"
    assert email.status == OutboundEmail.Status.SENT
    assert "本社5階 食堂" in email.text_body
    assert "Address: 東京都千代田区丸の内1-1-1" in email.text_body
    assert "https://www.google.com/maps/search/?api=1&query=" in email.text_body
    assert f"http://testserver/n/alpha/events/{event.pk}/ticket/" in email.text_body
    assert email.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert email.headers["List-Unsubscribe"].startswith("<http://testserver/n/alpha/")
    # The QR code travels as an inline PNG that the HTML shows by its Content-ID.
    assert 'src="cid:ticket-qr"' in email.html_body
    assert base64.b64decode(email.inline_images["ticket-qr"]["data"]).startswith(b"\x89PNG")
    [message] = mail.outbox
    assert message.mixed_subtype == "related"
    [image] = message.attachments
    assert image["Content-ID"] == "<ticket-qr>"
    assert image.get_content_type() == "image/png"
    # The hour-before reminder comes in its turn, once.
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.send_event_reminders(now=now + START - timedelta(minutes=50)) == 1
        assert tasks.send_event_reminders(now=now + START - timedelta(minutes=40)) == 0
    assert reminded(answer) == [24, 1]
    assert len(outbound("event-reminder")) == 2
    assert len(mail.outbox) == 2


def test_its_subject_and_text_are_exact_in_english_and_japanese(
    net_a: PersonaNetwork, english: None, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    start = datetime(2027, 3, 5, 19, 0, tzinfo=timezone.get_fixed_timezone(9 * 60))
    now = start - timedelta(hours=23)
    event = make_event(
        net_a, now, starts_at=start, ends_at=start + timedelta(hours=2), map_url="https://maps.example/x"
    )
    seat(net_a, event, "alumnus1", now - timedelta(days=3))
    seat(net_a, event, "alumnus2", now - timedelta(days=3))  # reads Japanese
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.send_event_reminders(now=now) == 2
    english_email, japanese_email = sorted(outbound("event-reminder"), key=lambda email: email.to)
    assert english_email.subject == "Reminder: アルムナイ交流会 (March 5, 2027 19:00)"
    assert "When: March 5, 2027 (Fri) 19:00–21:00\n" in english_email.text_body
    assert "Venue: 本社5階 食堂\nAddress: 東京都千代田区丸の内1-1-1\nMap: https://maps.example/x\n" in (
        english_email.text_body
    )
    # Japanese dates (the sentences' Japanese comes with the catalogue, compiled by the lead).
    assert "2027年3月5日 (金) 19:00–21:00\n" in japanese_email.text_body
    assert japanese_email.language == "ja"


def test_it_sends_only_the_latest_due_reminder_and_none_whose_moment_passed_before_the_seat(
    net_a: PersonaNetwork, now: datetime
) -> None:
    event = make_event(net_a, now)
    early = seat(net_a, event, "alumnus1", now)
    # Promoted from the waitlist 10 hours before the start: the day-before reminder had passed.
    late = seat(net_a, event, "alumnus2", now + START - timedelta(hours=10))
    supporter = seat(net_a, event, "supporter", now)
    assert tasks.send_event_reminders(now=now + START - timedelta(hours=9)) == 2  # alumnus1 and supporter
    assert reminded(late) == [24]
    assert notices(net_a, "alumnus2", "event_reminder") == []
    # A worker that was down: both reminders due at once → one only (the hour before) for anyone left.
    assert reminded(early) == [24]
    with scopes_disabled():
        Rsvp.objects.filter(pk=supporter.pk).update(reminded=[])
    assert tasks.send_event_reminders(now=now + START - timedelta(minutes=30)) == 3
    assert reminded(supporter) == [24, 1]
    assert len(notices(net_a, "supporter", "event_reminder")) == 2  # one earlier, one now: not three
    assert len(notices(net_a, "alumnus2", "event_reminder")) == 1


def test_it_reminds_only_confirmed_people_of_published_events(net_a: PersonaNetwork, now: datetime) -> None:
    event = make_event(net_a, now)
    seat(net_a, event, "alumnus1", now, status=Rsvp.Status.WAITLISTED, confirmed_at=None)
    seat(net_a, event, "alumnus2", now, status=Rsvp.Status.CANCELLED)
    cancelled = make_event(net_a, now, status=Event.Status.CANCELLED)
    seat(net_a, cancelled, "supporter", now)
    no_reminders = make_event(net_a, now, reminders=[])
    seat(net_a, no_reminders, "editor", now)
    assert tasks.send_event_reminders(now=now + START - timedelta(minutes=30)) == 0
    with scopes_disabled():
        assert Notification.objects.filter(kind="event_reminder").count() == 0
        assert list(Rsvp.objects.values_list("reminded", flat=True)) == [[], [], [], []]


def test_it_respects_the_events_preference(net_a: PersonaNetwork, now: datetime) -> None:
    event = make_event(net_a, now)
    seat(net_a, event, "alumnus1", now)
    off = seat(net_a, event, "alumnus2", now)
    with scope(network=net_a.network):
        set_preference(net_a.memberships["alumnus1"], Topic.EVENTS, Delivery.APP)
        set_preference(net_a.memberships["alumnus2"], Topic.EVENTS, Delivery.OFF)
    assert tasks.send_event_reminders(now=now + timedelta(hours=7)) == 1
    [bell] = notices(net_a, "alumnus1", "event_reminder")
    assert bell.delivery == Notification.Delivery.APP
    assert notices(net_a, "alumnus2", "event_reminder") == []
    assert reminded(off) == [24]  # dealt with: not tried again every run
    assert OutboundEmail.objects.count() == 0


def test_a_reminder_never_waits_for_the_digest(net_a: PersonaNetwork, now: datetime) -> None:
    event = make_event(net_a, now)
    seat(net_a, event, "alumnus1", now)
    with scope(network=net_a.network):
        set_preference(net_a.memberships["alumnus1"], Topic.EVENTS, Delivery.DIGEST)
    assert tasks.send_event_reminders(now=now + timedelta(hours=7)) == 1
    [bell] = notices(net_a, "alumnus1", "event_reminder")
    assert bell.delivery == Notification.Delivery.APP  # a digest next week would come after the event
    assert OutboundEmail.objects.count() == 0


def test_it_gives_the_online_link_and_no_qr_code_for_an_online_event(
    net_a: PersonaNetwork, now: datetime, english: None
) -> None:
    event = make_event(net_a, now, format=Event.Format.ONLINE, venue_name="", venue_address="",
                       online_url="https://meet.example/secret-room")  # fmt: skip
    seat(net_a, event, "alumnus1", now)
    assert tasks.send_event_reminders(now=now + timedelta(hours=7)) == 1
    [email] = outbound("event-reminder")
    assert "Online link: https://meet.example/secret-room" in email.text_body
    assert "Venue:" not in email.text_body
    assert email.inline_images == {}
    assert "cid:" not in email.html_body


def test_a_claim_taken_by_another_worker_sends_nothing(net_a: PersonaNetwork, now: datetime) -> None:
    event = make_event(net_a, now)
    answer = seat(net_a, event, "alumnus1", now)
    with scope(network=net_a.network):
        stale = Rsvp.objects.get(pk=answer.pk)  # what this worker read…
        Rsvp.objects.filter(pk=answer.pk).update(reminded=[24])  # …before another one claimed it
        assert tasks._remind(event, stale, [24]) is False
    assert notices(net_a, "alumnus1", "event_reminder") == []
    assert reminded(answer) == [24]


def test_a_moved_start_brings_the_reminders_back(net_a: PersonaNetwork, now: datetime) -> None:
    event = make_event(net_a, now)
    answer = seat(net_a, event, "alumnus1", now)
    assert tasks.send_event_reminders(now=now + timedelta(hours=7)) == 1
    with scope(network=net_a.network):
        event.starts_at += timedelta(days=7)
        event.ends_at += timedelta(days=7)
        services.save_event(event, net_a.editor, ["starts_at", "ends_at"])
    assert reminded(answer) == []
    assert tasks.send_event_reminders(now=now + timedelta(days=7, hours=7)) == 1
    assert len(notices(net_a, "alumnus1", "event_reminder")) == 2


# --- Change and cancellation notices -------------------------------------------------------------


def test_a_change_notice_carries_the_new_time_and_place(net_a: PersonaNetwork, now: datetime, english: None) -> None:
    start = datetime(2027, 3, 5, 19, 0, tzinfo=timezone.get_fixed_timezone(9 * 60))
    event = make_event(net_a, now, starts_at=start, ends_at=start + timedelta(hours=2),
                       online_url="https://meet.example/secret-room", format=Event.Format.HYBRID)  # fmt: skip
    seat(net_a, event, "alumnus1", now)
    seat(net_a, event, "alumnus2", now, status=Rsvp.Status.WAITLISTED, confirmed_at=None)
    with scope(network=net_a.network):
        event.starts_at = start + timedelta(days=1)
        event.ends_at = start + timedelta(days=1, hours=2)
        event.venue_name = "大阪支店 会議室A"
        services.save_event(event, net_a.editor, ["starts_at", "ends_at", "venue_name"])
    emails_sent = sorted(outbound("event-notice"), key=lambda email: email.to)
    assert [email.to for email in emails_sent] == ["alumnus1@a.example", "alumnus2@a.example"]
    english_email = emails_sent[0]
    assert english_email.subject == "Changed: アルムナイ交流会"
    assert "When: March 6, 2027 (Sat) 19:00–21:00\nVenue: 大阪支店 会議室A\n" in english_email.text_body
    # A notice is no place for the online link (the waitlisted get it too): the event page shows it.
    assert all("secret-room" not in email.text_body + email.html_body for email in emails_sent)
    [bell] = notices(net_a, "alumnus1", "event_changed")
    assert bell.text == "2027-03-06 19:00 大阪支店 会議室A"


def test_a_cancellation_notice_gives_the_reason(net_a: PersonaNetwork, now: datetime, english: None) -> None:
    event = make_event(net_a, now)
    seat(net_a, event, "alumnus1", now)
    with scope(network=net_a.network):
        assert services.cancel_event(event, net_a.editor, "台風の接近のため") == 1
    [email] = outbound("event-notice")
    assert email.subject == "Cancelled: アルムナイ交流会"
    assert "Reason: 台風の接近のため" in email.text_body
    [bell] = notices(net_a, "alumnus1", "event_cancelled")
    assert bell.text == "台風の接近のため"


# --- Thank-you -----------------------------------------------------------------------------------


def past_event(net: PersonaNetwork, **fields: Any) -> Event:
    now = timezone.now()
    return make_event(net, now - timedelta(days=2), starts_at=now - timedelta(hours=3),
                      ends_at=now - timedelta(hours=1), **fields)  # fmt: skip


def test_it_thanks_each_checked_in_attendee_once(
    net_a: PersonaNetwork, english: None, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    event = past_event(net_a, thank_you_text="ご参加ありがとうございました。", survey_url="https://survey.example/s/1")
    before = timezone.now() - timedelta(days=3)
    came = seat(net_a, event, "alumnus1", before)
    seat(net_a, event, "alumnus2", before)  # did not come
    online = seat(net_a, event, "supporter", before)
    with scope(network=net_a.network):
        services.check_in(came, net_a.editor)
        services.check_in(online, net_a.editor, mode=Rsvp.CheckIn.ONLINE)
        services.walk_in(event, net_a.editor, guest_name="飛び入り 花子")  # a guest: no member to thank
    with django_capture_on_commit_callbacks(execute=True), scope(network=net_a.network):
        tasks.schedule_thanks(event)
    assert tasks.thank_attendees.call(event.pk) == "skipped"  # the second run does nothing
    assert len(notices(net_a, "alumnus1", "event_thanks")) == 1
    assert len(notices(net_a, "supporter", "event_thanks")) == 1
    assert notices(net_a, "alumnus2", "event_thanks") == []
    with scopes_disabled():
        event.refresh_from_db()
    assert event.thanked_at is not None
    thanks = {email.to: email for email in outbound("event-thanks")}
    assert sorted(thanks) == ["alumnus1@a.example", "supporter@a.example"]
    english_email = thanks["alumnus1@a.example"]
    assert english_email.subject == "Thank you for coming to アルムナイ交流会"
    assert "ご参加ありがとうございました。" in english_email.text_body
    assert "https://survey.example/s/1" in english_email.text_body
    assert f"Event page: http://testserver/n/alpha/events/{event.pk}/" in english_email.text_body
    assert english_email.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert len(mail.outbox) == 2


def test_it_does_not_thank_before_the_event_nor_for_a_cancelled_one(net_a: PersonaNetwork, now: datetime) -> None:
    upcoming = make_event(net_a, now)
    cancelled = past_event(net_a, status=Event.Status.CANCELLED)
    for event in (upcoming, cancelled):
        assert tasks.thank_attendees.call(event.pk) == "skipped"
        with scopes_disabled():
            event.refresh_from_db()
        assert event.thanked_at is None
    assert tasks.thank_attendees.call(999_999) == "gone"


def test_the_thank_you_email_function_links_the_photos(net_a: PersonaNetwork, english: None) -> None:
    event = past_event(net_a)
    with scope(network=net_a.network):
        item = Notification.objects.create(network=net_a.network, recipient=net_a.memberships["alumnus1"],
                                           topic=Topic.EVENTS, kind="event_thanks", url="/n/alpha/")  # fmt: skip
        email = emails.thanks(item, event)
    assert "Event page:" in email.text_body
    assert "photos" not in email.text_body  # none yet


# --- Join link and history -----------------------------------------------------------------------


def test_publishing_gives_the_event_its_join_link_once(net_a: PersonaNetwork, now: datetime) -> None:
    event = make_event(net_a, now, status=Event.Status.DRAFT, title="事業説明会（スタートアップ支援プログラム）")
    with scope(network=net_a.network):
        services.publish(event, net_a.editor)
        services.publish(event, net_a.editor)
        event.refresh_from_db()
        [channel] = JoinChannel.objects.filter(network=net_a.network)
        assert event.join_channel == channel
        assert (channel.kind, channel.label, channel.created_by) == (
            JoinChannel.Kind.EVENT,
            "事業説明会（スタートアップ支援プログラム）",
            net_a.editor,
        )
        assert AuditEntry.objects.filter(network=net_a.network, action="join_channel.created").count() == 1


def test_attended_events_are_the_checked_in_ones_newest_first(net_a: PersonaNetwork, now: datetime) -> None:
    older = past_event(net_a, title="2025年 忘年会")
    newer = past_event(net_a, title="2026年 新年会")
    with scopes_disabled():
        Event.objects.filter(pk=older.pk).update(starts_at=now - timedelta(days=300))
    missed = past_event(net_a, title="欠席した会")
    called_off = past_event(net_a, title="中止の会", status=Event.Status.CANCELLED)
    for event in (older, newer, called_off):
        answer = seat(net_a, event, "alumnus1", now - timedelta(days=400))
        with scope(network=net_a.network):
            services.check_in(answer, net_a.editor)
    seat(net_a, missed, "alumnus1", now - timedelta(days=400))
    with scope(network=net_a.network):
        history = services.attended_events(net_a.memberships["alumnus1"])
        assert [answer.event.title for answer in history] == ["2026年 新年会", "2025年 忘年会"]
        assert list(services.attended_events(net_a.memberships["alumnus2"])) == []


def test_the_staff_member_page_shows_the_attended_events(net_a: PersonaNetwork, now: datetime) -> None:
    event = past_event(net_a, title="2026年 新年会")
    answer = seat(net_a, event, "alumnus1", now - timedelta(days=4))
    with scope(network=net_a.network):
        services.check_in(answer, net_a.editor)
    url = reverse("manage:member_detail", args=["alpha", net_a.memberships["alumnus1"].pk])
    with translation.override("en"):
        page = client_for(net_a, "admin").get(url).content.decode()
    assert "Events attended" in page
    assert "2026年 新年会" in page
    other = client_for(net_a, "admin").get(
        reverse("manage:member_detail", args=["alpha", net_a.memberships["alumnus2"].pk])
    )
    assert "2026年 新年会" not in other.content.decode()


def test_the_alumnus_sees_their_attended_events_on_their_page(net_a: PersonaNetwork, now: datetime) -> None:
    event = past_event(net_a, title="2026年 新年会")
    answer = seat(net_a, event, "alumnus1", now - timedelta(days=4))
    with scope(network=net_a.network):
        services.check_in(answer, net_a.editor)
    url = reverse("network:my_profile", args=["alpha"])
    page = client_for(net_a, "alumnus1").get(url).content.decode()
    assert "Events I attended" in page
    assert f'href="/n/alpha/events/{event.pk}/">2026年 新年会</a>' in page
    assert "Events I attended" not in client_for(net_a, "alumnus2").get(url).content.decode()


def test_the_reminder_reaches_a_real_smtp_server_with_its_qr_code(
    net_a: PersonaNetwork,
    now: datetime,
    english: None,
    smtp_server: LoopbackSMTP,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    event = make_event(net_a, now)
    seat(net_a, event, "alumnus1", now)
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.send_event_reminders(now=now + timedelta(hours=7)) == 1
    [received] = smtp_server.messages
    assert received.rcpt_tos == ["alumnus1@a.example"]
    assert received.subject.startswith("Reminder: アルムナイ交流会 (")
    assert "Address: 東京都千代田区丸の内1-1-1" in received.text
    assert 'src="cid:ticket-qr"' in received.html
    [image] = [part for part in received.message.walk() if part.get_content_type() == "image/png"]
    assert image["Content-ID"] == "<ticket-qr>"
    assert image.get_payload(decode=True).startswith(b"\x89PNG")  # type: ignore[union-attr]
    assert received.message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    [email] = outbound("event-reminder")
    assert email.status == OutboundEmail.Status.SENT


def test_publishing_tells_the_audience_once(
    net_a: PersonaNetwork, now: datetime, django_capture_on_commit_callbacks: Any
) -> None:
    event = make_event(net_a, now, status=Event.Status.DRAFT, host=net_a.memberships["supporter"])
    with scope(network=net_a.network), django_capture_on_commit_callbacks(execute=True):
        services.publish(event, net_a.editor)
    told = {n.recipient_id for n in notices_of_kind("event_new")}
    alumni = {net_a.memberships[name].pk for name in ("alumnus1", "alumnus2")}
    assert told == alumni  # alumni of the network; neither the host (the supporter) nor the staff
    assert tasks.announce_event.call(event.pk) == "told 0"  # a second run tells nobody twice


def test_an_event_for_some_companies_is_announced_to_their_alumni_only(
    net_a: PersonaNetwork, now: datetime, django_capture_on_commit_callbacks: Any
) -> None:
    from enishi.intake.models import EmploymentRecord

    event = make_event(net_a, now, status=Event.Status.DRAFT, audience=Event.Audience.COMPANIES)
    with scope(network=net_a.network):
        event.companies.add(net_a.company)
        EmploymentRecord.objects.create(
            network=net_a.network, company=net_a.company, employee_number="E1", family_name="佐藤",
            given_name="一郎", membership=net_a.memberships["alumnus1"],
        )  # fmt: skip
        with django_capture_on_commit_callbacks(execute=True):
            services.publish(event, net_a.editor)
    told = {n.recipient_id for n in notices_of_kind("event_new")}
    assert told == {net_a.memberships["alumnus1"].pk}


def notices_of_kind(kind: str) -> list[Notification]:
    with scopes_disabled():
        return list(Notification.objects.filter(kind=kind))
