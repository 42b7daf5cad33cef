"""Printable flyers: one record's, a batch, and a join link's; A4 or A5, in the reader's language."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import formats, timezone, translation
from django_scopes import scopes_disabled

from conftest import PersonaNetwork
from enishi.intake.models import AlumniInvitation, EmploymentRecord, JoinChannel
from enishi.intake.tests.invitation_helpers import (
    audit_entries,
    english_client,
    invitations_of,
    make_invitation,
    make_record,
    messages_of,
)

FLYER = AlumniInvitation.Delivery.FLYER


@pytest.fixture
def record(net_a: PersonaNetwork) -> EmploymentRecord:
    return make_record(net_a, "P-001", family_name="山本", given_name="彩")


def print_flyer(net: PersonaNetwork, record: EmploymentRecord) -> tuple[str, AlumniInvitation]:
    response = english_client(net, "hr").post(reverse("manage:intake_record_flyer", args=["alpha", record.pk]))
    invitation = invitations_of(record)[-1]
    assert response.status_code == 302
    assert response["Location"] == reverse("manage:intake_invitation_flyer", args=["alpha", invitation.pk])
    return response["Location"], invitation


def test_it_prints_a_personal_flyer_with_qr_code_link_code_and_expiry(
    net_a: PersonaNetwork, record: EmploymentRecord
) -> None:
    url, invitation = print_flyer(net_a, record)

    response = english_client(net_a, "hr").get(url)

    page = response.content.decode()
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    assert (invitation.delivery, invitation.email, invitation.invited_by) == (FLYER, "", net_a.hr)
    assert len(re.findall(r'<svg[^>]*class="qr"', page)) == 1
    assert f"http://testserver/n/alpha/join/{invitation.token}/" in page
    assert re.fullmatch(r"[2-9A-Z]{5}-[2-9A-Z]{5}", invitation.display_code)
    assert invitation.display_code in page
    assert "http://testserver/n/alpha/join/" in page.replace(invitation.token, "")
    with translation.override("ja"):
        expiry = formats.date_format(timezone.localtime(invitation.expires_at), "DATE_FORMAT")
    assert expiry in page
    assert "山本 彩" in page
    assert '<article class="flyer" lang="ja">' in page
    assert "size: A4 portrait" in page
    [entry] = audit_entries("alumni.flyers_printed")
    assert (entry.actor, entry.target_id, entry.data["count"]) == (net_a.hr, str(record.pk), 1)


def test_it_prints_the_same_flyer_again_rather_than_a_new_code(net_a: PersonaNetwork, record: EmploymentRecord) -> None:
    first_url, first = print_flyer(net_a, record)
    second_url, second = print_flyer(net_a, record)

    assert first_url == second_url
    assert second.pk == first.pk
    assert [invitation.pk for invitation in invitations_of(record)] == [first.pk]


def test_it_replaces_an_open_email_invitation_with_the_flyer(net_a: PersonaNetwork, record: EmploymentRecord) -> None:
    emailed = make_invitation(record, email="aya@example.jp")

    _url, flyer = print_flyer(net_a, record)

    emailed_now, flyer_now = invitations_of(record)
    assert emailed_now.pk == emailed.pk
    assert emailed_now.revoked_at is not None
    assert (flyer_now.pk, flyer_now.revoked_at) == (flyer.pk, None)


def test_it_sizes_the_page_for_a5_or_a4(net_a: PersonaNetwork, record: EmploymentRecord) -> None:
    url, _invitation = print_flyer(net_a, record)
    client = english_client(net_a, "hr")

    a5 = client.get(url, {"size": "a5"}).content.decode()
    a4 = client.get(url, {"size": "a4"}).content.decode()
    unknown = client.get(url, {"size": "letter"}).content.decode()

    assert "@page { size: A5 portrait; margin: 0; }" in a5
    assert 'class="flyer-page flyer-a5"' in a5
    assert "size: A4" not in a5
    assert "@page { size: A4 portrait; margin: 0; }" in a4
    assert 'class="flyer-page flyer-a4"' in a4
    assert "size: A5" not in a4
    assert "size: A4 portrait" in unknown


def test_it_prints_in_the_language_asked_for(net_a: PersonaNetwork, record: EmploymentRecord) -> None:
    url, invitation = print_flyer(net_a, record)

    page = english_client(net_a, "hr").get(url, {"lang": "en"}).content.decode()

    assert '<article class="flyer" lang="en">' in page
    assert "the people who worked at ALPHA Inc." in page
    assert "ALPHA Network" in page
    assert "アルファ株式会社" not in page
    assert "Thank you for everything. Let's stay in touch." in page
    assert "Scan with your phone's camera to join." in page
    with translation.override("en"):
        assert formats.date_format(timezone.localtime(invitation.expires_at), "DATE_FORMAT") in page


def test_it_uses_no_inline_script_and_a_progressive_print_button(
    net_a: PersonaNetwork, record: EmploymentRecord
) -> None:
    url, _invitation = print_flyer(net_a, record)

    response = english_client(net_a, "hr").get(url)

    page = response.content.decode()
    scripts = re.findall(r"<script[^>]*>", page)
    assert scripts == [f'<script src="/static/enishi/flyer.js" defer nonce="{response.wsgi_request.csp_nonce}">']
    assert "onclick" not in page
    assert '<button type="button" class="toolbar-print" data-print hidden>' in page
    assert "'unsafe-inline'" not in response["Content-Security-Policy"].split("script-src")[1].split(";")[0]


def test_it_prints_a_batch_and_ignores_ids_of_other_networks_and_unknown_ones(
    net_a: PersonaNetwork, net_b: PersonaNetwork
) -> None:
    first = make_invitation(make_record(net_a, "P-010"), email="", delivery=FLYER)
    second = make_invitation(make_record(net_a, "P-011"), email="", delivery=FLYER)
    emailed = make_invitation(make_record(net_a, "P-012", email="x@example.jp"))
    foreign = make_invitation(make_record(net_b, "Q-001"), email="", delivery=FLYER)
    ids = f"{second.pk},{foreign.pk},999999,{first.pk},abc,{emailed.pk},{second.pk}"

    response = english_client(net_a, "hr").get(reverse("manage:intake_flyers", args=["alpha"]), {"ids": ids})

    page = response.content.decode()
    assert response.status_code == 200
    assert [flyer.code for flyer in response.context["flyers"]] == [second.display_code, first.display_code]
    assert page.count('<article class="flyer"') == 2
    assert foreign.display_code not in page
    assert foreign.token not in page
    assert emailed.token not in page
    [entry] = audit_entries("alumni.flyers_printed")
    assert (entry.data["count"], entry.data["invitations"], entry.target_id) == (2, [second.pk, first.pk], "")


def test_it_does_not_print_an_invitation_that_is_no_longer_open(net_a: PersonaNetwork) -> None:
    revoked = make_invitation(make_record(net_a, "P-020"), email="", delivery=FLYER, revoked_at=timezone.now())

    response = english_client(net_a, "hr").get(reverse("manage:intake_invitation_flyer", args=["alpha", revoked.pk]))

    page = response.content.decode()
    assert response.status_code == 200
    assert response.context["flyers"] == []
    assert revoked.token not in page
    assert "1 invitation is no longer open (registered, revoked or expired) and is not printed." in page
    assert audit_entries("alumni.flyers_printed") == []


def test_it_answers_404_for_another_networks_invitation_or_an_email_one(
    net_a: PersonaNetwork, net_b: PersonaNetwork
) -> None:
    foreign = make_invitation(make_record(net_b, "Q-002"), email="", delivery=FLYER)
    emailed = make_invitation(make_record(net_a, "P-030", email="p@example.jp"))
    client = english_client(net_a, "hr")

    for invitation in (foreign, emailed):
        assert client.get(reverse("manage:intake_invitation_flyer", args=["alpha", invitation.pk])).status_code == 404
    assert audit_entries("alumni.flyers_printed") == []


def test_it_refuses_a_flyer_for_a_registered_person(net_a: PersonaNetwork) -> None:
    registered = make_record(net_a, "P-040", membership=net_a.memberships["alumnus1"])

    response = english_client(net_a, "hr").post(reverse("manage:intake_record_flyer", args=["alpha", registered.pk]))

    assert response["Location"] == reverse("manage:intake_record", args=["alpha", registered.pk])
    assert messages_of(response) == ["This person is already registered."]
    assert invitations_of(registered) == []


def test_it_prints_a_flyer_for_a_join_link_without_a_personal_code(net_a: PersonaNetwork) -> None:
    with scopes_disabled():
        link = JoinChannel.objects.create(network=net_a.network, kind=JoinChannel.Kind.EVENT, label="説明会")

    response = english_client(net_a, "hr").get(reverse("manage:intake_channel_flyer", args=["alpha", link.pk]),
                                          {"size": "a5"})  # fmt: skip

    page = response.content.decode()
    assert response.status_code == 200
    assert len(re.findall(r'<svg[^>]*class="qr"', page)) == 1
    assert f"http://testserver/n/alpha/j/{link.token}/" in page
    assert "flyer-code" not in page
    assert "size: A5 portrait" in page


def test_it_prints_no_flyer_for_a_revoked_join_link(net_a: PersonaNetwork) -> None:
    with scopes_disabled():
        link = JoinChannel.objects.create(network=net_a.network, kind=JoinChannel.Kind.PRESS,
                                          revoked_at=timezone.now())  # fmt: skip

    response = english_client(net_a, "hr").get(reverse("manage:intake_channel_flyer", args=["alpha", link.pk]))

    assert response.status_code == 200
    assert response.context["flyers"] == []
    assert link.token not in response.content.decode()
