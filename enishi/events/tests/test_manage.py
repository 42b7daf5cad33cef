"""The events console: the list with counts, the event form, proposals, actions, attendees and their
export, photos; roles and other networks' ids."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django_scopes import scopes_disabled
from openpyxl import load_workbook
from PIL import Image

from conftest import PersonaNetwork
from enishi.accounts.models import User
from enishi.events.models import Event, EventInvitee, EventPhoto, EventQuestion, Rsvp
from enishi.networks.models import Company, Membership
from enishi.notifications.models import Notification
from enishi.privacy.models import AuditEntry
from enishi.profiles.models import SavedSegment
from enishi.profiles.tests.conftest import client_for

pytestmark = pytest.mark.django_db
TOKYO = ZoneInfo("Asia/Tokyo")


def make_event(net: PersonaNetwork, days: int = 7, **fields: Any) -> Event:
    day = (timezone.now() + timedelta(days=days)).astimezone(TOKYO).date()
    starts = datetime(day.year, day.month, day.day, 19, 0, tzinfo=TOKYO)
    values: dict[str, Any] = {
        "title": "アルムナイ交流会", "format": Event.Format.OFFLINE, "venue_name": "本社 20階",
        "starts_at": starts, "ends_at": starts + timedelta(hours=2), "status": Event.Status.PUBLISHED, **fields,
    }  # fmt: skip
    with scopes_disabled():
        return Event.objects.create(network=net.network, **values)


def add_rsvp(net: PersonaNetwork, event: Event, persona: str | None = None, **fields: Any) -> Rsvp:
    with scopes_disabled():
        membership = net.memberships[persona] if persona else None
        return Rsvp.objects.create(network=net.network, event=event, membership=membership, **fields)


def form_data(**fields: Any) -> dict[str, Any]:
    """What the event form posts for a draft on 2030-12-10, 19:00–21:00 local time."""
    data: dict[str, Any] = {
        "title": "アルムナイ交流会 2030", "description": "<p>久しぶりに集まりましょう。</p>", "format": "offline",
        "venue_name": "本社 20階 カフェテリア", "venue_address": "東京都千代田区丸の内1-1-1",
        "starts_at": "2030-12-10T19:00", "ends_at": "2030-12-10T21:00", "audience": "network",
        "capacity": "30", "max_plus_ones": "1", "reminders": ["24", "3"], "staff_may_attend": "on",
        "attendees_visible": "on",
        "questions-TOTAL_FORMS": "2", "questions-INITIAL_FORMS": "0", "questions-MIN_NUM_FORMS": "0",
        "questions-MAX_NUM_FORMS": "20",
        "questions-0-label": "食事の制限はありますか", "questions-0-choices": "",
        "questions-1-label": "", "questions-1-choices": "",
    }  # fmt: skip
    data.update(fields)
    return data


def latest_event(net: PersonaNetwork) -> Event:
    with scopes_disabled():
        return Event.objects.filter(network=net.network).latest("id")


def console(net: PersonaNetwork, name: str, *args: Any) -> str:
    return reverse(f"manage:{name}", args=[net.network.slug, *args])


# --- Roles and networks ---------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["hr", "analyst", "coordinator", "supporter", "alumnus1"])
def test_it_is_404_for_roles_outside_the_events_section(net_a: PersonaNetwork, persona: str) -> None:
    event = make_event(net_a)
    client = client_for(net_a, persona)
    for url in (
        console(net_a, "events"), console(net_a, "event_new"), console(net_a, "event_edit", event.pk),
        console(net_a, "event_attendees", event.pk), console(net_a, "event_attendees_export", event.pk),
        console(net_a, "event_check_in", event.pk), console(net_a, "event_photos", event.pk),
    ):  # fmt: skip
        assert client.get(url).status_code == 404, url
    response = client.post(console(net_a, "event_action", event.pk, "cancel"), {"reason": "x"})
    assert response.status_code == 404
    with scopes_disabled():
        assert Event.objects.get(pk=event.pk).status == Event.Status.PUBLISHED


@pytest.mark.parametrize("persona", ["admin", "editor"])
def test_admin_and_editor_open_every_page(net_a: PersonaNetwork, persona: str) -> None:
    event = make_event(net_a)
    client = client_for(net_a, persona)
    for name in ("event_edit", "event_attendees", "event_check_in", "event_photos", "event_check_in_count"):
        assert client.get(console(net_a, name, event.pk)).status_code == 200, name
    assert client.get(console(net_a, "events")).status_code == 200
    assert client.get(console(net_a, "event_new")).status_code == 200


def test_another_networks_event_is_404_everywhere(net_a: PersonaNetwork, net_b: PersonaNetwork) -> None:
    theirs = make_event(net_b, title="ベータの会")
    rsvp = add_rsvp(net_b, theirs, "alumnus1")
    with scopes_disabled():
        photo = EventPhoto.objects.create(network=net_b.network, event=theirs, image="x.jpg")
    client = client_for(net_a, "admin")
    for name in ("event_edit", "event_attendees", "event_attendees_export", "event_check_in", "event_photos",
                 "event_check_in_count"):  # fmt: skip
        assert client.get(console(net_a, name, theirs.pk)).status_code == 404, name
    assert client.get(console(net_a, "event_check_in_token", theirs.pk, rsvp.check_in_token)).status_code == 404
    for url, data in (
        (console(net_a, "event_action", theirs.pk, "cancel"), {"reason": "x"}),
        (console(net_a, "event_check_in_scan", theirs.pk), {"token": rsvp.check_in_token}),
        (console(net_a, "event_check_in_action", theirs.pk, rsvp.pk, "arrive"), {}),
        (console(net_a, "event_walk_in", theirs.pk), {"guest_name": "山田"}),
        (console(net_a, "event_photo_delete", theirs.pk, photo.pk), {}),
    ):
        assert client.post(url, data).status_code == 404, url
    with scopes_disabled():
        assert Event.objects.get(pk=theirs.pk).status == Event.Status.PUBLISHED
        assert Rsvp.objects.get(pk=rsvp.pk).checked_in == ""
        assert Rsvp.objects.filter(event=theirs).count() == 1
        assert EventPhoto.objects.filter(pk=photo.pk).exists()


# --- The form -------------------------------------------------------------------------------------


def test_it_saves_a_draft_with_local_times_a_clean_description_reminders_and_questions(net_a: PersonaNetwork) -> None:
    hostile = '<p onclick="steal()">ようこそ</p><script>alert(1)</script><a href="javascript:alert(1)">x</a>'
    response = client_for(net_a, "editor").post(console(net_a, "event_new"), form_data(description=hostile))

    event = latest_event(net_a)
    assert response.status_code == 302
    assert response["Location"] == console(net_a, "event_edit", event.pk)
    assert event.status == Event.Status.DRAFT
    assert event.description == '<p>ようこそ</p><a rel="noopener noreferrer nofollow ugc">x</a>'
    assert event.starts_at == datetime(2030, 12, 10, 10, 0, tzinfo=ZoneInfo("UTC"))  # 19:00 in Tokyo
    assert event.ends_at == datetime(2030, 12, 10, 12, 0, tzinfo=ZoneInfo("UTC"))
    assert sorted(event.reminders) == [3, 24]
    assert event.capacity == 30
    assert event.created_by == net_a.editor
    with scopes_disabled():
        questions = list(EventQuestion.objects.filter(event=event))
        assert AuditEntry.objects.filter(action="event.saved", target_id=str(event.pk)).count() == 1
    assert [(q.label, q.network_id, q.position) for q in questions] == [("食事の制限はありますか", net_a.network.pk, 0)]
    page = client_for(net_a, "editor").get(console(net_a, "event_edit", event.pk)).content.decode()
    assert 'value="2030-12-10T19:00"' in page
    assert "steal()" not in page


def test_it_publishes_with_the_publish_button(net_a: PersonaNetwork) -> None:
    client_for(net_a, "editor").post(console(net_a, "event_new"), form_data(publish="1"))

    event = latest_event(net_a)
    assert event.status == Event.Status.PUBLISHED
    assert event.published_at is not None


def test_it_refuses_an_end_before_the_start_and_saves_nothing(net_a: PersonaNetwork) -> None:
    with translation.override("en"):
        response = client_for(net_a, "editor").post(console(net_a, "event_new"), form_data(ends_at="2030-12-10T18:00"))
    assert response.status_code == 200
    assert "The end must come after the start." in response.content.decode()
    with scopes_disabled():
        assert not Event.objects.exists()


def test_audience_of_companies_keeps_only_this_networks_companies(net_a: PersonaNetwork, net_b: PersonaNetwork) -> None:
    with scopes_disabled():
        other = Company.objects.create(network=net_a.network, name_ja="アルファ商事")
    client = client_for(net_a, "editor")

    refused = client.post(console(net_a, "event_new"), form_data(audience="companies", companies=[net_b.company.pk]))
    assert refused.status_code == 200
    with scopes_disabled():
        assert not Event.objects.exists()

    client.post(console(net_a, "event_new"), form_data(audience="companies", companies=[other.pk]))
    event = latest_event(net_a)
    with scopes_disabled():
        assert list(event.companies.all()) == [other]

    data = form_data(audience="network", companies=[other.pk])
    client.post(console(net_a, "event_edit", event.pk), data)
    with scopes_disabled():
        assert list(event.companies.all()) == []


def test_a_segment_audience_needs_a_segment_of_this_network(net_a: PersonaNetwork, net_b: PersonaNetwork) -> None:
    with scopes_disabled():
        theirs = SavedSegment.objects.create(network=net_b.network, name="ベータの人", query={})
        ours = SavedSegment.objects.create(network=net_a.network, name="営業出身", query={})
    client = client_for(net_a, "editor")
    assert client.post(console(net_a, "event_new"), form_data(audience="segment")).status_code == 200
    assert client.post(console(net_a, "event_new"), form_data(audience="segment", segment=theirs.pk)).status_code == 200
    with scopes_disabled():
        assert not Event.objects.exists()
    assert client.post(console(net_a, "event_new"), form_data(audience="segment", segment=ours.pk)).status_code == 302
    assert latest_event(net_a).segment == ours


def test_invited_addresses_match_members_and_unknown_ones_are_listed_back(
    net_a: PersonaNetwork, net_b: PersonaNetwork
) -> None:
    client = client_for(net_a, "editor")
    typed = "alumnus1@a.example\nALUMNUS2@a.example, stranger@x.example\nalumnus2@b.example"
    with translation.override("en"):
        response = client.post(console(net_a, "event_new"), form_data(audience="invited", invited_emails=typed))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Not members of this network: stranger@x.example, alumnus2@b.example." in page
    assert "alumnus1@a.example\nALUMNUS2@a.example, stranger@x.example" in page  # nothing typed is lost
    with scopes_disabled():
        assert not Event.objects.exists()

    client.post(console(net_a, "event_new"), form_data(audience="invited", invited_emails=typed.split(", ")[0]))
    event = latest_event(net_a)
    with scopes_disabled():
        invited = set(EventInvitee.objects.filter(event=event).values_list("membership_id", flat=True))
    assert invited == {net_a.memberships["alumnus1"].pk, net_a.memberships["alumnus2"].pk}
    page = client.get(console(net_a, "event_edit", event.pk)).content.decode()
    assert "alumnus1@a.example\nalumnus2@a.example" in page

    client.post(
        console(net_a, "event_edit", event.pk), form_data(audience="invited", invited_emails="alumnus2@a.example")
    )
    with scopes_disabled():
        assert list(EventInvitee.objects.filter(event=event).values_list("membership_id", flat=True)) == [
            net_a.memberships["alumnus2"].pk
        ]


def test_the_preview_shows_the_sanitised_description(net_a: PersonaNetwork) -> None:
    event = make_event(net_a, status=Event.Status.DRAFT)
    response = client_for(net_a, "editor").post(
        console(net_a, "event_edit", event.pk),
        form_data(description='<p>本文</p><img src=x onerror="alert(1)">', ends_at="2030-12-10T18:00"),
    )
    page = response.content.decode()
    assert '<div class="rich-text"><p>本文</p><img src="x"></div>' not in page  # relative URLs are removed
    assert '<div class="rich-text"><p>本文</p><img></div>' in page
    assert "onerror" not in page.split('id="preview-h"')[1]


def test_a_published_event_changed_in_time_tells_everyone_registered(net_a: PersonaNetwork) -> None:
    event = make_event(net_a)
    add_rsvp(net_a, event, "alumnus1")
    data = form_data(title=event.title, starts_at="2030-12-11T19:00", ends_at="2030-12-11T21:00", save="1")
    client_for(net_a, "editor").post(console(net_a, "event_edit", event.pk), data)

    with scopes_disabled():
        event.refresh_from_db()
        told = Notification.objects.filter(recipient=net_a.memberships["alumnus1"], kind="event_changed").count()
    assert event.status == Event.Status.PUBLISHED
    assert event.sequence == 1
    assert told == 1


# --- Proposals and actions ------------------------------------------------------------------------


def test_a_proposal_shows_its_proposer_and_is_approved(net_a: PersonaNetwork) -> None:
    event = make_event(net_a, status=Event.Status.PROPOSED, host=net_a.memberships["alumnus1"])
    client = client_for(net_a, "editor")
    page = client.get(console(net_a, "event_edit", event.pk)).content.decode()
    assert "佐藤\u3000一郎" in page
    assert console(net_a, "event_action", event.pk, "approve") in page
    assert console(net_a, "event_action", event.pk, "decline") in page

    client.post(console(net_a, "event_action", event.pk, "approve"))

    with scopes_disabled():
        event.refresh_from_db()
        approved = Notification.objects.filter(recipient=net_a.memberships["alumnus1"], kind="event_approved")
        assert approved.count() == 1
    assert event.status == Event.Status.PUBLISHED


def test_declining_needs_a_reason(net_a: PersonaNetwork) -> None:
    event = make_event(net_a, status=Event.Status.PROPOSED, host=net_a.memberships["alumnus1"])
    client = client_for(net_a, "editor")
    client.post(console(net_a, "event_action", event.pk, "decline"), {"reason": "  "})
    with scopes_disabled():
        event.refresh_from_db()
    assert event.status == Event.Status.PROPOSED

    client.post(console(net_a, "event_action", event.pk, "decline"), {"reason": "同じ日に別の会があります。"})
    with scopes_disabled():
        event.refresh_from_db()
        declined = Notification.objects.filter(recipient=net_a.memberships["alumnus1"], kind="event_declined")
        assert declined.count() == 1
    assert (event.status, event.decline_reason) == (Event.Status.DECLINED, "同じ日に別の会があります。")
    assert client.post(console(net_a, "event_action", event.pk, "approve")).status_code == 302
    with scopes_disabled():
        assert Event.objects.get(pk=event.pk).status == Event.Status.DECLINED  # not waiting any more


def test_cancelling_needs_a_reason_and_tells_everyone_registered(net_a: PersonaNetwork) -> None:
    event = make_event(net_a)
    add_rsvp(net_a, event, "alumnus1")
    add_rsvp(net_a, event, "alumnus2", status=Rsvp.Status.WAITLISTED)
    client = client_for(net_a, "editor")

    client.post(console(net_a, "event_action", event.pk, "cancel"), {"reason": ""})
    with scopes_disabled():
        assert Event.objects.get(pk=event.pk).status == Event.Status.PUBLISHED
        assert not Notification.objects.filter(kind="event_cancelled").exists()

    with translation.override("en"):
        response = client.post(
            console(net_a, "event_action", event.pk, "cancel"), {"reason": "台風のため"}, follow=True
        )
    assert "The event is cancelled; 2 people were told." in response.content.decode()
    with scopes_disabled():
        event.refresh_from_db()
        assert Notification.objects.filter(kind="event_cancelled").count() == 2
    assert (event.status, event.cancel_reason) == (Event.Status.CANCELLED, "台風のため")


def test_a_draft_is_deleted_and_a_published_event_is_not(net_a: PersonaNetwork) -> None:
    draft, live = make_event(net_a, status=Event.Status.DRAFT), make_event(net_a)
    client = client_for(net_a, "editor")

    assert client.post(console(net_a, "event_action", draft.pk, "delete"))["Location"] == console(net_a, "events")
    client.post(console(net_a, "event_action", live.pk, "delete"))

    with scopes_disabled():
        assert list(Event.objects.values_list("pk", flat=True)) == [live.pk]
        assert AuditEntry.objects.filter(action="event.deleted").count() == 1


def test_unknown_actions_are_404_and_actions_need_post(net_a: PersonaNetwork) -> None:
    event = make_event(net_a, status=Event.Status.DRAFT)
    client = client_for(net_a, "editor")
    assert client.post(console(net_a, "event_action", event.pk, "explode")).status_code == 404
    assert client.get(console(net_a, "event_action", event.pk, "delete")).status_code == 405
    with scopes_disabled():
        assert Event.objects.filter(pk=event.pk).exists()


def test_the_thank_you_waits_for_the_end_of_the_event(
    net_a: PersonaNetwork, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    upcoming = make_event(net_a)
    add_rsvp(net_a, upcoming, "alumnus1", checked_in=Rsvp.CheckIn.VENUE)
    client = client_for(net_a, "editor")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        client.post(console(net_a, "event_action", upcoming.pk, "thank"))
    assert callbacks == []
    with scopes_disabled():
        assert Event.objects.get(pk=upcoming.pk).thanked_at is None

    past = make_event(net_a, days=-3)
    add_rsvp(net_a, past, "alumnus1", checked_in=Rsvp.CheckIn.VENUE)
    add_rsvp(net_a, past, "alumnus2")  # did not come
    with django_capture_on_commit_callbacks(execute=True):
        client.post(console(net_a, "event_action", past.pk, "thank"))
    with scopes_disabled():
        assert Event.objects.get(pk=past.pk).thanked_at is not None
        thanked = set(Notification.objects.filter(kind="event_thanks").values_list("recipient_id", flat=True))
    assert thanked == {net_a.memberships["alumnus1"].pk}


# --- The list -------------------------------------------------------------------------------------


def test_the_list_shows_each_tab_with_its_counts(net_a: PersonaNetwork) -> None:
    upcoming = make_event(net_a, title="忘年会", capacity=2)
    add_rsvp(net_a, upcoming, "alumnus1", plus_ones=1, checked_in=Rsvp.CheckIn.VENUE)
    add_rsvp(net_a, upcoming, "alumnus2", status=Rsvp.Status.WAITLISTED)
    make_event(net_a, days=-30, title="去年の勉強会")
    make_event(net_a, title="提案された会", status=Event.Status.PROPOSED, host=net_a.memberships["supporter"])
    make_event(net_a, title="下書きの会", status=Event.Status.DRAFT)
    client = client_for(net_a, "editor")

    page = client.get(console(net_a, "events")).content.decode()
    assert "忘年会" in page
    assert "去年の勉強会" not in page
    assert "下書きの会" not in page
    row = page.split("忘年会")[1].split("</tr>")[0]
    cells = [cell.split("<", 1)[0].strip() for cell in row.split('class="num">')[1:]]
    assert cells[:3] == ["2 / 2", "1", "2"]  # seats with plus-ones / capacity, waitlist, arrivals
    assert "去年の勉強会" in client.get(console(net_a, "events") + "?tab=past").content.decode()
    proposals = client.get(console(net_a, "events") + "?tab=proposals").content.decode()
    assert "提案された会" in proposals
    assert "支援\u3000美咲" in proposals
    assert "下書きの会" in client.get(console(net_a, "events") + "?tab=drafts").content.decode()


def test_the_list_runs_the_same_queries_for_10_and_200_events(net_a: PersonaNetwork) -> None:
    client = client_for(net_a, "editor")
    url = console(net_a, "events")
    client.get(url)
    counts = []
    for total in (10, 200):
        with scopes_disabled():
            have = Event.objects.count()
            starts = timezone.now() + timedelta(days=3)
            made = Event.objects.bulk_create(
                Event(
                    network=net_a.network,
                    title=f"会{n}",
                    starts_at=starts,
                    ends_at=starts + timedelta(hours=2),
                    status=Event.Status.PUBLISHED,
                    capacity=10,
                )
                for n in range(total - have)
            )
            Rsvp.objects.bulk_create(
                Rsvp(network=net_a.network, event=event, guest_name="ゲスト", checked_in=Rsvp.CheckIn.VENUE)
                for event in made
            )
        with CaptureQueriesContext(connection) as context:
            response = client.get(url + "?page=1")
        assert response.content.decode().count('class="event-row"') == min(total, 50)
        counts.append(len(context.captured_queries))
    assert counts[0] == counts[1]


# --- Attendees ------------------------------------------------------------------------------------


def test_attendees_are_grouped_with_their_answers_and_the_view_is_audited(net_a: PersonaNetwork) -> None:
    event = make_event(net_a, max_plus_ones=2)
    with scopes_disabled():
        question = EventQuestion.objects.create(network=net_a.network, event=event, label="食事の制限")
    add_rsvp(net_a, event, "alumnus1", plus_ones=2, answers={str(question.pk): "ベジタリアン"})
    add_rsvp(net_a, event, "alumnus2", status=Rsvp.Status.WAITLISTED)
    add_rsvp(net_a, event, "supporter", status=Rsvp.Status.CANCELLED)

    page = client_for(net_a, "editor").get(console(net_a, "event_attendees", event.pk)).content.decode()

    confirmed = page.split('id="group-confirmed"')[1].split("</section>")[0]
    waitlisted = page.split('id="group-waitlisted"')[1].split("</section>")[0]
    cancelled = page.split('id="group-cancelled"')[1].split("</section>")[0]
    assert "佐藤\u3000一郎" in confirmed
    assert "ベジタリアン" in confirmed
    assert "鈴木\u3000二葉" in waitlisted
    assert "支援\u3000美咲" in cancelled
    with scopes_disabled():
        assert AuditEntry.objects.filter(action="event.attendees_viewed", target_id=str(event.pk)).count() == 1


def test_attendees_run_the_same_queries_for_10_and_200_people(net_a: PersonaNetwork) -> None:
    event = make_event(net_a)
    with scopes_disabled():
        question = EventQuestion.objects.create(network=net_a.network, event=event, label="話したいこと")
    client = client_for(net_a, "editor")
    url = console(net_a, "event_attendees", event.pk)
    client.get(url)  # the session's first request loads more (language, MFA)
    counts = []
    for total in (10, 200):
        with scopes_disabled():
            have = Rsvp.objects.filter(event=event).count()
            users = User.objects.bulk_create(
                User(email=f"m{n}@a.example", family_name="会員", given_name=str(n)) for n in range(have, total)
            )
            members = Membership.objects.bulk_create(
                Membership(network=net_a.network, user=user, role="alumnus", state="active") for user in users
            )
            Rsvp.objects.bulk_create(
                Rsvp(
                    network=net_a.network,
                    event=event,
                    membership=member,
                    answers={str(question.pk): "x"},
                    status=(Rsvp.Status.CONFIRMED, Rsvp.Status.WAITLISTED)[n % 2],
                )
                for n, member in enumerate(members)
            )
        with CaptureQueriesContext(connection) as context:
            page = client.get(url).content.decode()
        assert page.count('class="attendee"') == total
        assert page.count("会員") == total
        counts.append(len(context.captured_queries))
    assert counts[0] == counts[1]


def test_the_export_neutralises_formulas_and_is_audited(net_a: PersonaNetwork) -> None:
    event = make_event(net_a)
    with scopes_disabled():
        question = EventQuestion.objects.create(network=net_a.network, event=event, label="=話したいこと")
    add_rsvp(net_a, event, "alumnus1", answers={str(question.pk): '=HYPERLINK("http://evil.example","x")'})
    add_rsvp(net_a, event, guest_name="@SUM(1+1)", walk_in=True, checked_in=Rsvp.CheckIn.VENUE,
             checked_in_at=timezone.now())  # fmt: skip
    client = client_for(net_a, "editor")
    url = console(net_a, "event_attendees_export", event.pk)

    with translation.override("en"):
        response = client.get(url + "?format=csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert response["Content-Disposition"].startswith(f'attachment; filename="event-{event.pk}-attendees-')
    assert rows[0][-1] == "'=話したいこと"
    by_name = {row[0]: row for row in rows[1:]}
    assert by_name["佐藤\u3000一郎"][2] == "alumnus1@a.example"
    assert by_name["佐藤\u3000一郎"][-1] == '\'=HYPERLINK("http://evil.example","x")'
    assert "'@SUM(1+1)" in by_name

    workbook = load_workbook(io.BytesIO(client.get(url + "?format=xlsx").content))
    values = [cell.value for row in workbook.active.iter_rows() for cell in row]
    assert '\'=HYPERLINK("http://evil.example","x")' in values
    assert not any(isinstance(value, str) and value.startswith("=") for value in values)
    assert client.get(url + "?format=pdf").status_code == 404
    with scopes_disabled():
        audited = AuditEntry.objects.filter(action="event.attendees_exported", target_id=str(event.pk))
        assert [entry.data["format"] for entry in audited.order_by("pk")] == ["csv", "xlsx"]


# --- Photos ---------------------------------------------------------------------------------------


def picture(name: str = "photo.jpg") -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), "orange").save(out, format="JPEG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def test_photos_are_added_after_the_start_and_deleted(net_a: PersonaNetwork, settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path
    upcoming, past = make_event(net_a), make_event(net_a, days=-2)
    client = client_for(net_a, "editor")

    client.post(console(net_a, "event_photos", upcoming.pk), {"photos": [picture()], "caption": "乾杯"})
    with scopes_disabled():
        assert not EventPhoto.objects.exists()

    client.post(console(net_a, "event_photos", past.pk), {"photos": [picture("a.jpg"), picture("b.jpg")],
                                                          "caption": "乾杯"})  # fmt: skip
    with scopes_disabled():
        photos = list(EventPhoto.objects.filter(event=past))
    assert [(photo.caption, photo.position) for photo in photos] == [("乾杯", 1), ("乾杯", 2)]

    client.post(console(net_a, "event_photo_delete", past.pk, photos[0].pk))
    with scopes_disabled():
        assert list(EventPhoto.objects.filter(event=past)) == [photos[1]]


def test_an_event_has_at_most_20_photos(net_a: PersonaNetwork, settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path
    past = make_event(net_a, days=-2)
    with scopes_disabled():
        EventPhoto.objects.bulk_create(
            EventPhoto(network=net_a.network, event=past, image=f"x{n}.jpg", position=n) for n in range(19)
        )
    client = client_for(net_a, "editor")
    with translation.override("en"):
        response = client.post(console(net_a, "event_photos", past.pk), {"photos": [picture(), picture("b.jpg")]})
    assert "An event has at most 20 photos: 1 more can be added." in response.content.decode()
    with scopes_disabled():
        assert EventPhoto.objects.filter(event=past).count() == 19


def test_staff_membership_matching_ignores_left_members(net_a: PersonaNetwork) -> None:
    with scopes_disabled():
        Membership.objects.filter(pk=net_a.memberships["alumnus2"].pk).update(state="left")
    with translation.override("en"):
        response = client_for(net_a, "editor").post(
            console(net_a, "event_new"), form_data(audience="invited", invited_emails="alumnus2@a.example")
        )
    assert "Not members of this network: alumnus2@a.example." in response.content.decode()


def test_the_cover_is_re_encoded_and_a_non_image_refused(net_a: PersonaNetwork, settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path
    client = client_for(net_a, "editor")
    fake = SimpleUploadedFile("cover.jpg", b"<script>alert(1)</script>", content_type="image/jpeg")
    with translation.override("en"):
        refused = client.post(console(net_a, "event_new"), form_data(cover=fake))
    assert "Upload a valid image." in refused.content.decode()
    with scopes_disabled():
        assert not Event.objects.exists()

    client.post(console(net_a, "event_new"), form_data(cover=picture("cover.png"), cover_alt="会場の様子"))
    event = latest_event(net_a)
    assert event.cover.name.startswith("events/")
    assert event.cover.name.endswith(".jpg")  # re-encoded by lib.images, metadata dropped
    assert event.cover_alt == "会場の様子"
