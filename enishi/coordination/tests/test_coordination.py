"""The comeback coordinator: who sees whom, interviews, relays approved by the alumnus (in the app and
by the signed link), the provision record and the consents that stop relays."""

from __future__ import annotations

import re
from urllib.parse import urlparse

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django_scopes import scope, scopes_disabled

from conftest import PersonaNetwork
from enishi.coordination import services
from enishi.coordination.models import Engagement, Interview, ProvisionRecord, Relay
from enishi.coordination.tests.helpers import agree, engage, interview_of
from enishi.notifications.models import OutboundEmail
from enishi.privacy.models import ConsentPurpose
from enishi.privacy.notices import withdraw_consent
from enishi.profiles.tests.conftest import client_for

pytestmark = pytest.mark.django_db
SUMMARY = "2027年春から週3日の副業なら可能。前職の営業企画の経験を活かしたい。"


def propose(net: PersonaNetwork, interview: Interview, summary: str = SUMMARY) -> Relay:
    client = client_for(net, "coordinator")
    with scopes_disabled():
        before = set(Relay.objects.values_list("pk", flat=True))
    url = reverse("manage:interview_relay", args=[net.network.slug, interview.pk])
    assert client.post(url, {"summary": summary}).status_code == 302
    with scopes_disabled():
        return Relay.objects.exclude(pk__in=before).get()


def test_the_coordinator_sees_only_alumni_who_agreed(net_a: PersonaNetwork) -> None:
    engage(net_a)
    agree(net_a, "alumnus1")
    client = client_for(net_a, "coordinator")

    page = client.get(reverse("manage:interviews", args=["alpha"])).content.decode()

    assert "佐藤" in page
    assert "鈴木" not in page
    new_2 = reverse("manage:interview_new", args=["alpha", net_a.memberships["alumnus2"].pk])
    assert client.get(new_2).status_code == 404


def test_the_coordinator_records_an_interview(net_a: PersonaNetwork) -> None:
    engage(net_a)
    agree(net_a)
    client = client_for(net_a, "coordinator")
    url = reverse("manage:interview_new", args=["alpha", net_a.memberships["alumnus1"].pk])

    response = client.post(url, {"scheduled_at": "2026-12-10T10:00", "notes": "本音: 育児が落ち着いたら",
                                 "current_work": "フリーランス", "intent": "副業から", "timing": "来春"})  # fmt: skip

    assert response.status_code == 302
    with scopes_disabled():
        interview = Interview.objects.get()
    assert (interview.notes, interview.timing, interview.alumnus_id) == ("本音: 育児が落ち着いたら", "来春",
                                                                          net_a.memberships["alumnus1"].pk)  # fmt: skip
    assert "本音" in client.get(response["Location"]).content.decode()


def test_a_withdrawal_hides_the_alumnus_for_new_interviews_but_keeps_the_notes(net_a: PersonaNetwork) -> None:
    organisation = engage(net_a)
    agree(net_a)
    interview = interview_of(net_a, organisation, notes="前回のメモ")
    with scope(network=net_a.network):
        withdraw_consent(net_a.memberships["alumnus1"], ConsentPurpose.COORDINATOR_CONTACT)
    client = client_for(net_a, "coordinator")

    new_1 = reverse("manage:interview_new", args=["alpha", net_a.memberships["alumnus1"].pk])
    assert client.get(new_1).status_code == 404
    assert "佐藤" not in client.get(reverse("manage:interviews", args=["alpha"])).content.decode().split("<h2")[-1]
    assert "前回のメモ" in client.get(reverse("manage:interview_edit", args=["alpha", interview.pk])).content.decode()


@pytest.mark.parametrize("persona", ["admin", "hr", "editor", "analyst", "supporter", "alumnus1"])
def test_nobody_but_the_coordinator_opens_an_interview(persona: str, net_a: PersonaNetwork) -> None:
    organisation = engage(net_a)
    agree(net_a)
    interview = interview_of(net_a, organisation, notes="x")
    client = client_for(net_a, persona)

    for url in (
        reverse("manage:interviews", args=["alpha"]),
        reverse("manage:interview_edit", args=["alpha", interview.pk]),
        reverse("manage:interview_relay", args=["alpha", interview.pk]),
        reverse("manage:interview_new", args=["alpha", net_a.memberships["alumnus1"].pk]),
    ):
        assert client.get(url).status_code == 404, url


def test_a_coordinator_whose_firm_is_no_longer_engaged_sees_nothing(net_a: PersonaNetwork) -> None:
    organisation = engage(net_a)
    agree(net_a)
    interview = interview_of(net_a, organisation, notes="x")
    with scopes_disabled():
        Engagement.objects.update(ended_at=timezone.now())
    client = client_for(net_a, "coordinator")

    assert client.get(reverse("manage:interview_edit", args=["alpha", interview.pk])).status_code == 404
    with translation.override("en"):
        assert "not linked" in client.get(reverse("manage:interviews", args=["alpha"])).content.decode()


def test_hr_sees_a_relay_only_once_the_alumnus_approved_it_by_the_emailed_link(
    net_a: PersonaNetwork,
) -> None:
    organisation = engage(net_a)
    agree(net_a)
    relay = propose(net_a, interview_of(net_a, organisation, notes="x"))
    hr = client_for(net_a, "hr")
    relays_url = reverse("manage:relays", args=["alpha"])
    assert SUMMARY not in hr.get(relays_url).content.decode()

    with scopes_disabled():
        email = OutboundEmail.objects.get(reference=f"relay:{relay.pk}")
    assert email.to == net_a.alumnus1.email
    assert SUMMARY not in email.text_body
    link = re.search(r"https?://\S+/coordination/link/\S+/", email.text_body)
    assert link is not None
    alumnus = client_for(net_a, "alumnus1")
    page = alumnus.get(urlparse(link.group(0)).path)
    assert page.status_code == 200
    assert SUMMARY in page.content.decode()
    approve = reverse("network:coordinator_relay_action", args=["alpha", relay.pk, "approve"])
    assert alumnus.post(approve, {"digest": relay.digest}).status_code == 302

    assert SUMMARY in hr.get(relays_url).content.decode()
    with scopes_disabled():
        record = ProvisionRecord.objects.get()
        consent_id = services.Consent.objects.get(purpose=ConsentPurpose.COORDINATOR_RELAY).pk
    assert (record.content, record.consent_ref, record.alumnus_id) == (SUMMARY, consent_id,
                                                                        net_a.memberships["alumnus1"].pk)  # fmt: skip
    assert "カムバック支援合同会社" in record.provider_label
    assert (record.retain_until - record.provided_at.date()).days >= 3 * 365
    privacy = alumnus.get(reverse("network:privacy", args=["alpha"])).content.decode()
    assert SUMMARY in privacy
    assert str(consent_id) in privacy


def test_the_alumnus_approves_only_the_exact_text_they_read(net_a: PersonaNetwork) -> None:
    organisation = engage(net_a)
    agree(net_a)
    relay = propose(net_a, interview_of(net_a, organisation))
    alumnus = client_for(net_a, "alumnus1")
    approve = reverse("network:coordinator_relay_action", args=["alpha", relay.pk, "approve"])

    alumnus.post(approve, {"digest": "0" * 64})

    relay.refresh_from_db()
    assert relay.status == Relay.Status.AWAITING
    with scopes_disabled():
        assert not ProvisionRecord.objects.exists()


def test_withdrawing_the_relay_consent_stops_further_relays(net_a: PersonaNetwork) -> None:
    organisation = engage(net_a)
    agree(net_a)
    relay = propose(net_a, interview_of(net_a, organisation))
    with scope(network=net_a.network):
        withdraw_consent(net_a.memberships["alumnus1"], ConsentPurpose.COORDINATOR_RELAY)
    alumnus = client_for(net_a, "alumnus1")

    alumnus.post(reverse("network:coordinator_relay_action", args=["alpha", relay.pk, "approve"]),
                 {"digest": relay.digest})  # fmt: skip

    relay.refresh_from_db()
    assert relay.status == Relay.Status.AWAITING
    assert SUMMARY not in client_for(net_a, "hr").get(reverse("manage:relays", args=["alpha"])).content.decode()
    with scopes_disabled():
        assert not ProvisionRecord.objects.exists()


def test_the_link_opens_only_for_the_person_it_names_and_expires(
    net_a: PersonaNetwork, monkeypatch: pytest.MonkeyPatch
) -> None:
    organisation = engage(net_a)
    agree(net_a)
    relay = propose(net_a, interview_of(net_a, organisation))
    url = reverse("network:coordinator_relay_link", args=["alpha", services.relay_token(relay)])

    assert client_for(net_a, "alumnus2").get(url).status_code == 404
    assert client_for(net_a, "hr").get(url).status_code == 404
    assert client_for(net_a, "alumnus1").get(url + "x").status_code == 404
    assert client_for(net_a, "alumnus1").get(url).status_code == 200
    monkeypatch.setattr(services, "RELAY_LINK_MAX_AGE", -1)
    assert client_for(net_a, "alumnus1").get(url).status_code == 404


def test_another_alumnus_cannot_open_or_answer_a_relay(net_a: PersonaNetwork) -> None:
    organisation = engage(net_a)
    agree(net_a)
    relay = propose(net_a, interview_of(net_a, organisation))
    other = client_for(net_a, "alumnus2")

    assert other.get(reverse("network:coordinator_relay", args=["alpha", relay.pk])).status_code == 404
    assert other.post(reverse("network:coordinator_relay_action", args=["alpha", relay.pk, "approve"]),
                      {"digest": relay.digest}).status_code == 404  # fmt: skip


def test_deleting_the_relay_keeps_the_provision_record(net_a: PersonaNetwork) -> None:
    organisation = engage(net_a)
    agree(net_a)
    interview = interview_of(net_a, organisation)
    relay = propose(net_a, interview)
    with scope(network=net_a.network):
        services.approve_relay(relay, net_a.memberships["alumnus1"], relay.digest)

    with scopes_disabled():
        Relay.objects.all().delete()
        Interview.objects.all().delete()
        record = ProvisionRecord.objects.get()
    assert record.content == SUMMARY
    assert record.relay_id is None


def test_declining_shares_nothing(net_a: PersonaNetwork) -> None:
    organisation = engage(net_a)
    agree(net_a)
    relay = propose(net_a, interview_of(net_a, organisation))

    client_for(net_a, "alumnus1").post(reverse("network:coordinator_relay_action", args=["alpha", relay.pk, "decline"]))

    relay.refresh_from_db()
    assert relay.status == Relay.Status.DECLINED
    assert SUMMARY not in client_for(net_a, "hr").get(reverse("manage:relays", args=["alpha"])).content.decode()
